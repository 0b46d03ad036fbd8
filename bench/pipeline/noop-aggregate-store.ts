import {
  type AggregateStore,
  ApplyOutcome,
  type ItemKey,
  type SessionSetDraft,
  type Watermarks,
} from '../../services/aggregation/index.ts';
import type { SourceId } from '../../services/kafka/record.ts';
import { type RequestCounter, type RequestCounts, ZERO_COUNTS } from './request-counter.ts';

/**
 * An {@link AggregateStore} that writes nothing: every conditional update holds, no
 * watermark is ever found. Benchmark-only: it takes DynamoDB out of the measurement so that
 * what is left is Kafka, the runtime and the aggregation itself. It counts the requests the
 * real store would have sent (capacity units are unknown without a table, so zero).
 */
export class NoopAggregateStore implements AggregateStore, RequestCounter {
  #writes = 0;
  #reads = 0;

  async applyCounters(): Promise<ApplyOutcome> {
    this.#writes += 1;
    return ApplyOutcome.Applied;
  }

  async readWatermarks(_key: ItemKey, _sources: readonly SourceId[]): Promise<Watermarks> {
    this.#reads += 1;
    return new Map();
  }

  async addSessions(_draft: SessionSetDraft): Promise<void> {
    this.#writes += 1;
  }

  snapshot(): RequestCounts {
    return { ...ZERO_COUNTS, writeRequests: this.#writes, readRequests: this.#reads };
  }
}
