import type { SourceId } from '../kafka/record.ts';
import type { PageBucketDraft, SessionSketchDraft } from './batch-aggregate.ts';
import type { ItemKey } from './data-model.ts';
import type { PageContribution } from './page-bucket.ts';
import type { CounterUpdate, Watermarks } from './watermark.ts';

/** How a conditional counter update ended. */
export const ApplyOutcome = {
  /** The counters were added and the watermarks moved, atomically. */
  Applied: 'APPLIED',
  /** A watermark was already at or above the update's records: nothing was written. */
  Stale: 'STALE',
} as const;
export type ApplyOutcome = (typeof ApplyOutcome)[keyof typeof ApplyOutcome];

/**
 * What the store's requests cost: requests, and the capacity units DynamoDB bills for them
 * (as it reports them in `ConsumedCapacity`; a conditional write that fails its condition
 * still consumes write units:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html#write-operation-consumption).
 */
export interface StoreUsage {
  readonly writes: number;
  readonly reads: number;
  readonly writeUnits: number;
  readonly readUnits: number;
}

export const NO_USAGE: StoreUsage = { writes: 0, reads: 0, writeUnits: 0, readUnits: 0 };

/** Sums usages. */
export const addUsage = (a: StoreUsage, b: StoreUsage): StoreUsage => ({
  writes: a.writes + b.writes,
  reads: a.reads + b.reads,
  writeUnits: a.writeUnits + b.writeUnits,
  readUnits: a.readUnits + b.readUnits,
});

/** What a conditional counter update did. */
export interface CounterWrite {
  readonly outcome: ApplyOutcome;
  readonly usage: StoreUsage;
}

/** A counter item's watermarks, as a retry reads them. */
export interface CounterItemState {
  readonly watermarks: Watermarks;
  readonly usage: StoreUsage;
}

/** What a read-modify-write merge took; `changed` is false when the item held it already. */
export interface MergeResult {
  readonly changed: boolean;
  /** Writes refused because another writer changed the item in between (each retried). */
  readonly conflicts: number;
  readonly usage: StoreUsage;
}

/** What merging a batch into a page bucket did. */
export interface PageBucketResult extends MergeResult {
  /** Records applied to the bucket by this merge (0 when it held them already). */
  readonly applied: number;
  /** Records of pages the bucket does not admit: the caller writes them to page items. */
  readonly overflow: readonly PageContribution[];
}

/**
 * The port the aggregation writes through. Every method either succeeds or throws
 * {@link AggregateStoreError} / {@link WatermarkContentionError} (both retriable).
 */
export interface AggregateStore {
  /**
   * Adds `update.counters` to the item and sets each source's watermark to `through`, in
   * one atomic write, only if each source's watermark is absent or below `from`.
   */
  applyCounters(update: CounterUpdate): Promise<CounterWrite>;
  /** Reads an item's watermarks for the given sources (strongly consistent). */
  readCounterItem(key: ItemKey, sources: readonly SourceId[]): Promise<CounterItemState>;
  /**
   * Merges a batch's session sketch into the stored one (register-wise maximum, so repeating
   * it changes nothing): read, merge, write conditioned on the version read.
   */
  mergeSessionSketch(draft: SessionSketchDraft): Promise<MergeResult>;
  /**
   * Adds a batch's page contributions to its bucket, exactly once (page-bucket.ts,
   * `planBucketMerge`): read, plan, write conditioned on the watermark read.
   */
  mergePageBucket(draft: PageBucketDraft): Promise<PageBucketResult>;
}
