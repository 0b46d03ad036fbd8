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
  lagByPartition: { 'clickstream-events-0': 100, 'clickstream-events-1': 20 },
  billedDurationMs: 4000,
  memorySizeMb: 1024,
  recordsDelivered: 3500,
  ...overrides,
});

describe('esmPipelineStats', () => {
  it('shows each mapping of the emulator, a timeout counting as an error', async () => {
    // Prepare
    const stats = esmPipelineStats(
      { stats: () => ({ mappings: [figures()] }) },
      {
        deadLetters: async () => 7,
        deadLettersByReason: async () => ({ 'schema-invalid': 4, 'malformed-json': 3 }),
        dynamoDbUnits: () => ({ write: 12, read: 3 }),
      },
    );

    // Act
    const health = await stats();

    // Assert
    expect(PipelineStatsSchema.parse(health)).toEqual({
      source: 'ESM emulator',
      deadLetters: 7,
      deadLettersByReason: { 'schema-invalid': 4, 'malformed-json': 3 },
      dynamoDbUnits: { write: 12, read: 3 },
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
          lagByPartition: { 'clickstream-events-0': 100, 'clickstream-events-1': 20 },
          meanDurationMs: 100,
          gbSeconds: 4,
          recordsDelivered: 3500,
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
