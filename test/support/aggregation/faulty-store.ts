import {
  type AggregateStore,
  AggregateStoreError,
  type CounterItemState,
  type CounterUpdate,
  type CounterWrite,
  type ItemKey,
  type MergeResult,
  type PageBucketDraft,
  type PageBucketResult,
  type SessionSketchDraft,
} from '../../../services/aggregation/index.ts';
import type { SourceId } from '../../../services/kafka/record.ts';

/**
 * Wraps a real store and makes writes fail after a given number, the way a throttled or
 * timed-out invocation stops half-way through a batch. A fault injector, not a mock: the
 * writes that do go through reach the wrapped store.
 */
export class FaultyStore implements AggregateStore {
  readonly #store: AggregateStore;
  #writesLeft: number;

  constructor(store: AggregateStore, failAfterWrites: number) {
    this.#store = store;
    this.#writesLeft = failAfterWrites;
  }

  applyCounters(update: CounterUpdate): Promise<CounterWrite> {
    this.#spend(update.key);
    return this.#store.applyCounters(update);
  }

  readCounterItem(key: ItemKey, sources: readonly SourceId[]): Promise<CounterItemState> {
    return this.#store.readCounterItem(key, sources);
  }

  mergeSessionSketch(draft: SessionSketchDraft): Promise<MergeResult> {
    this.#spend(draft.key);
    return this.#store.mergeSessionSketch(draft);
  }

  mergePageBucket(draft: PageBucketDraft): Promise<PageBucketResult> {
    this.#spend(draft.key);
    return this.#store.mergePageBucket(draft);
  }

  #spend(key: ItemKey): void {
    if (this.#writesLeft <= 0) throw new AggregateStoreError(`injected failure writing ${key.pk} ${key.sk}`);
    this.#writesLeft -= 1;
  }
}
