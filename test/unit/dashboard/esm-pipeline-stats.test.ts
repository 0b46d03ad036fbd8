import { describe, expect, it } from 'vitest';
import { type EsmMappingFigures, esmPipelineStats } from '../../../dashboard/esm-pipeline-stats.ts';
import { PipelineStatsSchema } from '../../../dashboard/pipeline-stats.ts';

const figures = (overrides: Partial<EsmMappingFigures> = {}): EsmMappingFigures => ({
  functionName: 'clickstream-dev-aggregate-events',
  topic: 'clickstream-events',
  consumerGroupId: 'clickstream-aggregate-events',
  lag: 120,
  pollers: 2,
  invocations: 40,
  failed: 2,
  timeouts: 1,
  retries: 3,
  batchSize: { mean: 87.5, max: 500 },
  ...overrides,
});

describe('esmPipelineStats', () => {
  it('shows each mapping of the emulator, a timeout counting as an error', async () => {
    // Prepare
    const stats = esmPipelineStats(
      { stats: () => ({ mappings: [figures()] }) },
      { deadLetters: async () => 7 },
    );

    // Act
    const health = await stats();

    // Assert
    expect(PipelineStatsSchema.parse(health)).toEqual({
      source: 'ESM emulator',
      deadLetters: 7,
      mappings: [
        {
          name: 'clickstream-dev-aggregate-events',
          topic: 'clickstream-events',
          consumerGroup: 'clickstream-aggregate-events',
          lag: 120,
          pollers: 2,
          invocations: 40,
          errors: 3,
          retries: 3,
          batchSize: { mean: 87.5, max: 500 },
        },
      ],
    });
  });

  it('has no batch size before the first invocation, and no dead-letter count without a counter', async () => {
    // Prepare
    const stats = esmPipelineStats({
      stats: () => ({ mappings: [figures({ invocations: 0, batchSize: { mean: 0, max: 0 } })] }),
    });

    // Act
    const health = await stats();

    // Assert
    expect(health.mappings[0]?.batchSize).toBeNull();
    expect(health.deadLetters).toBeNull();
  });
});
