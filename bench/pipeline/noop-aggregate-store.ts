import {
  type AggregateStore,
  ApplyOutcome,
  type CounterItemState,
  type CounterWrite,
  type MergeResult,
  NO_USAGE,
  type PageBucketResult,
} from '../../services/aggregation/index.ts';
import { type RequestCounter, type RequestCounts, ZERO_COUNTS } from './request-counter.ts';

/**
 * An {@link AggregateStore} that writes nothing: every conditional update holds, no
 * watermark is ever found, every merge writes once. Benchmark-only: it takes DynamoDB out of
 * the measurement so that what is left is Kafka, the runtime and the aggregation itself. It
 * counts the requests the real store would have sent (capacity units are unknown without a
 * table, so zero).
 */
export class NoopAggregateStore implements AggregateStore, RequestCounter {
  #writes = 0;
  #reads = 0;

  async applyCounters(): Promise<CounterWrite> {
    this.#writes += 1;
    return { outcome: ApplyOutcome.Applied, usage: { ...NO_USAGE, writes: 1 } };
  }

  async readCounterItem(): Promise<CounterItemState> {
    this.#reads += 1;
    return { watermarks: new Map(), usage: { ...NO_USAGE, reads: 1 } };
  }

  async mergeSessionSketch(): Promise<MergeResult> {
    return this.#merge();
  }

  async mergePageBucket(): Promise<PageBucketResult> {
    return { ...this.#merge(), applied: 0, overflow: [] };
  }

  #merge(): MergeResult {
    this.#reads += 1;
    this.#writes += 1;
    return { changed: true, conflicts: 0, usage: { ...NO_USAGE, writes: 1, reads: 1 } };
  }

  snapshot(): RequestCounts {
    return { ...ZERO_COUNTS, writeRequests: this.#writes, readRequests: this.#reads };
  }
}
