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
  readonly lagByPartition: Readonly<Record<string, number>>;
  /** Σ of the invocations' billed durations (ms) and the function's memory. */
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly recordsDelivered: number;
}

/** What {@link esmPipelineStats} reads: the emulator itself fits. */
export interface EsmStatsSource {
  stats(): { readonly mappings: readonly EsmMappingFigures[] };
}

/** Settings of {@link esmPipelineStats}. */
export interface EsmPipelineStatsOptions {
  /** Counts the dead-letter topic's records (see `countDeadLetters`); without it the count is unknown. */
  readonly deadLetters?: () => Promise<number | null>;
  /** Counts the dead letters by reason; without it the breakdown is unknown. */
  readonly deadLettersByReason?: () => Promise<Record<string, number> | null>;
  /** The DynamoDB request units the functions reported so far (their EMF metrics). */
  readonly dynamoDbUnits?: () => { write: number; read: number } | null;
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
  lagByPartition: { ...figures.lagByPartition },
  meanDurationMs: figures.invocations === 0 ? null : figures.billedDurationMs / figures.invocations,
  gbSeconds: (figures.billedDurationMs / 1000) * (figures.memorySizeMb / 1024),
  recordsDelivered: figures.recordsDelivered,
});

/**
 * The pipeline's health from the ESM emulator running in the same process (`npm run demo`):
 * per mapping its lag (and per partition), event pollers, invocations, batch sizes, billed
 * duration, errors and retries. The emulator's figures stand in for the mapping's CloudWatch
 * metrics (OffsetLag, ProvisionedPollers) and the function's (Duration, Errors): a source
 * reading those on AWS returns the same shape.
 */
export const esmPipelineStats =
  (emulator: EsmStatsSource, options: EsmPipelineStatsOptions = {}): PipelineStatsSource =>
  async (): Promise<PipelineStats> => ({
    source: 'ESM emulator',
    mappings: emulator.stats().mappings.map(toMapping),
    deadLetters: options.deadLetters === undefined ? null : await options.deadLetters(),
    deadLettersByReason:
      options.deadLettersByReason === undefined ? null : await options.deadLettersByReason(),
    dynamoDbUnits: options.dynamoDbUnits?.() ?? null,
  });
