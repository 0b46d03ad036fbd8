export {
  type AggregationDependencies,
  aggregateBatch,
  type BatchSummary,
} from './aggregate-batch.ts';
export { type AggregateStore, ApplyOutcome } from './aggregate-store.ts';
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
  type SessionSetDraft,
  type SourcedEvent,
} from './batch-aggregate.ts';
export {
  Attribute,
  Entity,
  FUNNEL_COUNTERS,
  funnelKey,
  type ItemKey,
  PAGE_COUNTERS,
  pageStatsKey,
  sessionSetKey,
  TOP_PAGES_INDEX,
  watermarkAttribute,
} from './data-model.ts';
export { DynamoDbAggregateStore } from './dynamodb-aggregate-store.ts';
export { AggregateStoreError, AggregationError, WatermarkContentionError } from './errors.ts';
export { dayOf, expiresAtOf, isMinute, type Minute, minuteOf, minutesBetween } from './time-buckets.ts';
export {
  type CounterUpdate,
  pendingUpdate,
  type SourceStep,
  updateHolds,
  type Watermarks,
} from './watermark.ts';
