import type { SourceId } from '../kafka/record.ts';
import type { SessionSetDraft } from './batch-aggregate.ts';
import type { ItemKey } from './data-model.ts';
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
 * The port the aggregation writes through. Every method is one request to the store, and
 * every method either succeeds or throws {@link AggregateStoreError} (retriable).
 */
export interface AggregateStore {
  /**
   * Adds `update.counters` to the item and sets each source's watermark to `through`, in
   * one atomic write, only if each source's watermark is absent or below `from`.
   */
  applyCounters(update: CounterUpdate): Promise<ApplyOutcome>;
  /** Reads an item's current watermarks for the given sources (strongly consistent). */
  readWatermarks(key: ItemKey, sources: readonly SourceId[]): Promise<Watermarks>;
  /** Adds session ids to a session set: a set union, so repeating it changes nothing. */
  addSessions(draft: SessionSetDraft): Promise<void>;
}
