import type { MappingStats, PipelineStats, PipelineStatsSource } from './pipeline-stats.ts';

/**
 * The part of the ESM emulator's `stats()` (emulators/esm) the dashboard shows, one entry per
 * event source mapping. Declared here by shape, so the dashboard depends on the figures, not
 * on the emulator's module.
 */
export interface EsmMappingFigures {
  readonly functionName: string;
  readonly topic: string;
  readonly consumerGroupId: string;
  readonly lag: number;
  readonly pollers: number;
  readonly invocations: number;
  readonly failed: number;
  readonly timeouts: number;
  readonly retries: number;
  readonly batchSize: { readonly mean: number; readonly max: number };
}

/** What {@link esmPipelineStats} reads: the emulator itself fits. */
export interface EsmStatsSource {
  stats(): { readonly mappings: readonly EsmMappingFigures[] };
}

/** Settings of {@link esmPipelineStats}. */
export interface EsmPipelineStatsOptions {
  /** Counts the dead-letter topic's records (see `countDeadLetters`); without it the count is unknown. */
  readonly deadLetters?: () => Promise<number | null>;
}

const toMapping = (figures: EsmMappingFigures): MappingStats => ({
  name: figures.functionName,
  topic: figures.topic,
  consumerGroup: figures.consumerGroupId,
  lag: figures.lag,
  pollers: figures.pollers,
  invocations: figures.invocations,
  // A timeout is an error to the event source mapping, as on AWS.
  errors: figures.failed + figures.timeouts,
  retries: figures.retries,
  batchSize: figures.invocations === 0 ? null : { mean: figures.batchSize.mean, max: figures.batchSize.max },
});

/**
 * The pipeline's health from the ESM emulator running in the same process (`npm run demo`):
 * per mapping its lag, event pollers, invocations, batch sizes, errors and retries.
 */
export const esmPipelineStats =
  (emulator: EsmStatsSource, options: EsmPipelineStatsOptions = {}): PipelineStatsSource =>
  async (): Promise<PipelineStats> => ({
    source: 'ESM emulator',
    mappings: emulator.stats().mappings.map(toMapping),
    deadLetters: options.deadLetters === undefined ? null : await options.deadLetters(),
  });
