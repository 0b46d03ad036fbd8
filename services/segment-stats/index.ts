export { DynamoDbSegmentStatsReader } from './dynamodb-segment-stats-reader.ts';
export { DynamoDbSegmentStatsStore } from './dynamodb-segment-stats-store.ts';
export { SegmentStatsError, SegmentStatsReadError, SegmentStatsStoreError } from './errors.ts';
export {
  PutOutcome,
  SEGMENT_STATS_ENTITY,
  type SegmentStatsItem,
  type SegmentStatsRow,
  SegmentStatsRowSchema,
  type SegmentStatsStore,
  segmentStatsItem,
  segmentStatsPartition,
  segmentStatsSortKey,
} from './segment-stats.ts';
export type { SegmentStats, SegmentStatsReader } from './segment-stats-reader.ts';
export {
  type SegmentStatsDependencies,
  SegmentStatsFailure,
  type SegmentStatsSummary,
  writeSegmentStats,
} from './write-segment-stats.ts';
