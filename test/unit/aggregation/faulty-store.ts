import {
  type AggregateStore,
  AggregateStoreError,
  type ApplyOutcome,
  type CounterUpdate,
  type ItemKey,
  type SessionSetDraft,
  type Watermarks,
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

  applyCounters(update: CounterUpdate): Promise<ApplyOutcome> {
    this.#spend(update.key);
    return this.#store.applyCounters(update);
  }

  readWatermarks(key: ItemKey, sources: readonly SourceId[]): Promise<Watermarks> {
    return this.#store.readWatermarks(key, sources);
  }

  addSessions(draft: SessionSetDraft): Promise<void> {
    this.#spend(draft.key);
    return this.#store.addSessions(draft);
  }

  #spend(key: ItemKey): void {
    if (this.#writesLeft <= 0) throw new AggregateStoreError(`injected failure writing ${key.pk} ${key.sk}`);
    this.#writesLeft -= 1;
  }
}
