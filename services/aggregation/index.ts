export {
  type AggregationDependencies,
  aggregateBatch,
  type BatchSummary,
} from './aggregate-batch.ts';
export {
  type AggregateStore,
  ApplyOutcome,
  addUsage,
  type CounterItemState,
  type CounterWrite,
  type MergeResult,
  NO_USAGE,
  type PageBucketResult,
  type StoreUsage,
} from './aggregate-store.ts';
export { AnalyticsReader, type Funnel, type PageStats } from './analytics-reader.ts';
export {
  aggregateEvents,
  type BatchAggregate,
  type CounterItemDraft,
  funnelContribution,
  overflowPageItems,
  type PageBucketDraft,
  pageContribution,
  type RecordContribution,
  type RejectedEvent,
  revenueCentsOf,
  type SessionSketchDraft,
  type SourcedEvent,
} from './batch-aggregate.ts';
export {
  Attribute,
  bucketOf,
  Entity,
  FUNNEL_COUNTERS,
  funnelKey,
  type ItemKey,
  PAGE_BUCKETS,
  PAGE_COUNTERS,
  pageBucketKey,
  pagePartition,
  pageStatsKey,
  sessionSketchKey,
  watermarkAttribute,
} from './data-model.ts';
export { DynamoDbAggregateStore, type DynamoDbAggregateStoreOptions } from './dynamodb-aggregate-store.ts';
export { AggregateStoreError, AggregationError, WatermarkContentionError } from './errors.ts';
export { centsOfFloat, decimalOfCents, sumCents } from './money.ts';
export {
  decodeBucketPages,
  EMPTY_BUCKET,
  encodeBucketPages,
  MAX_BUCKET_RESERVED_BYTES,
  type PageContribution,
  type PageTotals,
  planBucketMerge,
  reservedBytes,
  type StoredBucket,
} from './page-bucket.ts';
export {
  linearCountingStandardError,
  SESSION_SKETCH_STANDARD_ERROR,
  SessionSketch,
} from './session-sketch.ts';
export { dayOf, expiresAtOf, isMinute, type Minute, minuteOf, minutesBetween } from './time-buckets.ts';
export { addPageTotals, rankTopPages } from './top-pages.ts';
export {
  type CounterUpdate,
  pendingUpdate,
  type SourceStep,
  updateHolds,
  type Watermarks,
} from './watermark.ts';
