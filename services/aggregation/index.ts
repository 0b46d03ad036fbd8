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
  type StoreUsage,
} from './aggregate-store.ts';
export { AnalyticsReader, type Funnel, type PageStats } from './analytics-reader.ts';
export {
  aggregateEvents,
  type BatchAggregate,
  type CounterItemDraft,
  funnelContribution,
  pageContribution,
  type RecordContribution,
  type RejectedEvent,
  revenueCentsOf,
  type SessionSketchDraft,
  type SourcedEvent,
  type TopPagesDraft,
} from './batch-aggregate.ts';
export {
  Attribute,
  Entity,
  FUNNEL_COUNTERS,
  funnelKey,
  type ItemKey,
  PAGE_COUNTERS,
  pageStatsKey,
  sessionSketchKey,
  topPagesKey,
  watermarkAttribute,
} from './data-model.ts';
export { DynamoDbAggregateStore, type DynamoDbAggregateStoreOptions } from './dynamodb-aggregate-store.ts';
export { AggregateStoreError, AggregationError, WatermarkContentionError } from './errors.ts';
export {
  linearCountingStandardError,
  SESSION_SKETCH_STANDARD_ERROR,
  SessionSketch,
} from './session-sketch.ts';
export { dayOf, expiresAtOf, isMinute, type Minute, minuteOf, minutesBetween } from './time-buckets.ts';
export {
  decodeTopPages,
  encodeTopPages,
  mergeTopPages,
  TOP_PAGES_KEPT,
  type TopPageEntry,
  topPageEntry,
} from './top-pages.ts';
export {
  type CounterUpdate,
  pendingUpdate,
  type SourceStep,
  updateHolds,
  type Watermarks,
} from './watermark.ts';
