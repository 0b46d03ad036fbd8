/**
 * The batching and retry logic of one Kafka event source mapping, free of I/O: records go
 * in per partition, batches come out when they are due, outcomes come back and turn into
 * offsets to commit. The poller (poller.ts) feeds it from kafkajs and runs what it plans.
 *
 * Rules matched (https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html and
 * invocation-eventsourcemapping.html#invocation-eventsourcemapping-batching):
 * - a batch is invoked when it holds BatchSize records, when the next record would take
 *   the payload past 6 MB, or when MaximumBatchingWindowInSeconds has passed since the
 *   first record became available — whichever comes first;
 * - a batch may hold several partitions (records grouped by "topic-partition"), but a
 *   partition is in at most one batch at a time, so records of a partition are delivered
 *   in offset order and concurrency is at most the number of partitions;
 * - on a function error the same batch is retried, nothing is committed;
 * - records that do not match the filter criteria are never delivered but their offsets
 *   are committed with the batch around them (or straight away when nothing else waits);
 * - with MaximumRecordAgeInSeconds, a record older than that (by its Kafka timestamp) is
 *   not delivered, first try or retry: it is given up on like an exhausted record and the
 *   partition moves on (https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html:
 *   "the maximum age of a record that Lambda sends to your function"; kafka-on-failure-destination.html:
 *   records that "exceed the maximum age" go to the on-failure destination).
 */

import type { EventSourceIdentity, KafkaEventRecord } from '../../services/kafka/esm-event.ts';
import { type SourceRecord, sourceId } from '../../services/kafka/record.ts';
import { MAX_INVOCATION_PAYLOAD_BYTES, PayloadSize } from './payload.ts';

/** A consumed record waiting in a partition buffer. */
export interface BufferedRecord {
  readonly source: SourceRecord;
  /** Its event form, built once (retries resend the same bytes). */
  readonly event: KafkaEventRecord;
  /** Serialized size of {@link event}. */
  readonly bytes: number;
  /** False when the filter criteria drop it. */
  readonly delivered: boolean;
  /** When the poller received it (ms). */
  readonly arrivedAt: number;
}

/** The records of one partition in a batch. */
export interface BatchPart {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  /** Delivered records, in offset order. */
  readonly records: readonly BufferedRecord[];
  /** Buffer entries covered, filtered ones included: what a success settles. */
  readonly span: number;
  /** Offset of the last covered entry. */
  readonly lastOffset: number;
}

/** A batch to invoke the function with. */
export interface Batch {
  readonly id: number;
  readonly parts: readonly BatchPart[];
  /** 0 for a first attempt, n for the n-th retry. */
  readonly attempt: number;
  readonly recordCount: number;
  readonly payloadBytes: number;
  /** One record alone exceeds the payload quota: Lambda refuses the invoke. */
  readonly tooLarge: boolean;
  /** The retry chain the batch belongs to, if it is a retry or a bisected half. */
  readonly chainId: number | undefined;
}

/** What the invocation of a batch came to. */
export type BatchOutcome =
  | { readonly kind: 'success' }
  /** ReportBatchItemFailures: the lowest failed offset per "topic-partition" (already validated). */
  | { readonly kind: 'partial'; readonly lowestFailedOffset: ReadonlyMap<string, number> }
  | { readonly kind: 'failure' };

/** An offset to commit: the next one to read. */
export interface Commit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Consequences of a completed batch. */
export interface Settlement {
  readonly commits: readonly Commit[];
  /** Records dropped after MaximumRetryAttempts: for the on-failure destination. */
  readonly exhausted: readonly BufferedRecord[];
  /** Attempts those records had, when exhausted. */
  readonly exhaustedAttempts: number;
  /** The batch will be retried (whole, or the failed tail of a partial failure). */
  readonly retrying: boolean;
  /** The batch was split in two (BisectBatchOnFunctionError). */
  readonly bisected: boolean;
}

export interface BatchPlannerOptions {
  readonly batchSize: number;
  readonly windowMs: number;
  readonly source: EventSourceIdentity;
  /** -1: retry until success. */
  readonly maximumRetryAttempts: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** Upper bound on concurrent batches; the partition count bounds it anyway. */
  readonly maxConcurrency?: number;
  /** MaximumRecordAgeInSeconds in ms; records older than this are expired instead of delivered. */
  readonly maximumRecordAgeMs?: number | undefined;
  readonly maxPayloadBytes?: number;
  /** Delay before retry `attempt` (1-based). */
  readonly retryDelayMs?: (attempt: number) => number;
}

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  buffer: BufferedRecord[];
  /** Next offset expected from the fetcher; older deliveries (after a rebalance) are duplicates. */
  nextOffset: number | undefined;
  /** In a running batch or held by a retry chain. */
  reserved: boolean;
}

interface RetrySpec {
  readonly parts: ReadonlyArray<{ readonly key: string; readonly span: number }>;
  readonly attempt: number;
  readonly notBefore: number;
}

/** The retries (and bisected halves) of one failed batch, run one after the other. */
interface Chain {
  readonly id: number;
  specs: RetrySpec[];
  running: boolean;
}

/** Exponential backoff from 100 ms to 5 s; Lambda documents retries, not their spacing. */
export const defaultRetryDelayMs = (attempt: number): number => Math.min(100 * 2 ** (attempt - 1), 5000);

/** Plans batches for one mapping. Single-threaded: call it from one event loop. */
export class BatchPlanner {
  readonly #options: Required<Omit<BatchPlannerOptions, 'source' | 'maximumRecordAgeMs'>> & {
    source: EventSourceIdentity;
    maximumRecordAgeMs: number | undefined;
  };
  readonly #partitions = new Map<string, PartitionState>();
  readonly #chains = new Map<number, Chain>();
  #inFlight = 0;
  #maxConcurrency: number;
  #nextBatchId = 1;
  #nextChainId = 1;

  constructor(options: BatchPlannerOptions) {
    this.#options = {
      maxConcurrency: Number.POSITIVE_INFINITY,
      maxPayloadBytes: MAX_INVOCATION_PAYLOAD_BYTES,
      retryDelayMs: defaultRetryDelayMs,
      ...options,
      maximumRecordAgeMs: options.maximumRecordAgeMs,
    };
    this.#maxConcurrency = this.#options.maxConcurrency;
  }

  /** Invocations allowed at once (the event pollers' capacity); takes effect at the next {@link take}. */
  set maxConcurrency(value: number) {
    this.#maxConcurrency = value;
  }

  get maxConcurrency(): number {
    return this.#maxConcurrency;
  }

  /** Batches currently being invoked. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Records buffered for a partition (delivered or not), for back-pressure. */
  buffered(key: string): number {
    return this.#partitions.get(key)?.buffer.length ?? 0;
  }

  /** Partitions with deliverable records that no batch holds: work waiting for an invocation slot. */
  get waitingPartitions(): number {
    return this.#eligible().length;
  }

  /** Records buffered across partitions. */
  get totalBuffered(): number {
    let total = 0;
    for (const state of this.#partitions.values()) total += state.buffer.length;
    return total;
  }

  /** Adds fetched records of one partition (in offset order). Duplicates of buffered offsets are ignored. */
  ingest(topic: string, partition: number, records: readonly BufferedRecord[]): void {
    const key = sourceId(topic, partition);
    let state = this.#partitions.get(key);
    if (state === undefined) {
      state = { topic, partition, key, buffer: [], nextOffset: undefined, reserved: false };
      this.#partitions.set(key, state);
    }
    for (const record of records) {
      if (state.nextOffset !== undefined && record.source.offset < state.nextOffset) continue;
      state.buffer.push(record);
      state.nextOffset = record.source.offset + 1;
    }
  }

  /** Forgets a partition the group no longer assigns here; its uncommitted records will be read again by its new owner. */
  revoke(key: string): void {
    this.#partitions.delete(key);
    for (const chain of this.#chains.values()) {
      chain.specs = chain.specs
        .map((spec) => ({ ...spec, parts: spec.parts.filter((part) => part.key !== key) }))
        .filter((spec) => spec.parts.length > 0);
      if (chain.specs.length === 0 && !chain.running) this.#chains.delete(chain.id);
    }
  }

  /** Partitions currently known (assigned and fetched from). */
  get partitionKeys(): string[] {
    return [...this.#partitions.keys()];
  }

  /**
   * Commits for filtered records nothing else waits for, then the batches due at `now`:
   * retries first, then fresh batches while concurrency allows.
   */
  take(now: number): { batches: Batch[]; commits: Commit[]; expired: BufferedRecord[] } {
    const expired = this.#expire(now);
    const commits = this.#settleFilteredHeads();
    const batches: Batch[] = [];
    for (const chain of this.#chains.values()) {
      if (this.#inFlight >= this.#maxConcurrency) break;
      const spec = chain.specs[0];
      if (chain.running || spec === undefined || spec.notBefore > now) continue;
      const batch = this.#batchFromSpec(chain, spec);
      if (batch === undefined || batch.recordCount === 0) {
        // Nothing left to deliver (every record expired): the retry is settled without an invocation.
        if (batch !== undefined) for (const part of batch.parts) this.#settle(part.key, part.span, commits);
        chain.specs.shift();
        this.#releaseChain(
          chain,
          spec.parts.map((part) => part.key),
        );
        continue;
      }
      chain.running = true;
      this.#inFlight += 1;
      batches.push(batch);
    }
    while (this.#inFlight < this.#maxConcurrency) {
      const batch = this.#freshBatch(now);
      if (batch === undefined) break;
      this.#inFlight += 1;
      batches.push(batch);
    }
    return { batches, commits, expired };
  }

  /** True when `record` is past MaximumRecordAgeInSeconds at `now`. */
  #tooOld(record: BufferedRecord, now: number): boolean {
    const age = this.#options.maximumRecordAgeMs;
    return age !== undefined && now - record.source.timestamp > age;
  }

  /**
   * Takes records past the maximum age out of delivery, wherever they wait (a retry's records
   * included): they are marked undelivered, so their offsets are committed like filtered ones,
   * and returned for the on-failure destination.
   */
  #expire(now: number): BufferedRecord[] {
    const expired: BufferedRecord[] = [];
    if (this.#options.maximumRecordAgeMs === undefined) return expired;
    const running = new Set<string>();
    for (const chain of this.#chains.values()) {
      if (chain.running) for (const part of chain.specs[0]?.parts ?? []) running.add(part.key);
    }
    for (const state of this.#partitions.values()) {
      // A partition in a running fresh batch is reserved without a chain: leave it to its outcome.
      if (state.reserved && !this.#heldByIdleChain(state.key)) continue;
      if (running.has(state.key)) continue;
      state.buffer = state.buffer.map((record) => {
        if (!record.delivered || !this.#tooOld(record, now)) return record;
        expired.push(record);
        return { ...record, delivered: false };
      });
    }
    return expired;
  }

  #heldByIdleChain(key: string): boolean {
    for (const chain of this.#chains.values()) {
      if (chain.running) continue;
      if (chain.specs.some((spec) => spec.parts.some((part) => part.key === key))) return true;
    }
    return false;
  }

  /** When {@link take} may next have something to do (a window closing, a retry's backoff ending). */
  nextWakeAt(now: number): number | undefined {
    let wake: number | undefined;
    const consider = (at: number): void => {
      wake = wake === undefined ? at : Math.min(wake, at);
    };
    for (const chain of this.#chains.values()) {
      const spec = chain.specs[0];
      if (!chain.running && spec !== undefined) consider(Math.max(spec.notBefore, now));
    }
    const eligible = this.#eligible();
    if (eligible.length > 0) consider(this.#windowStart(eligible) + this.#options.windowMs);
    return wake;
  }

  /** Applies the outcome of a batch {@link take} returned. */
  complete(batch: Batch, outcome: BatchOutcome, now: number): Settlement {
    this.#inFlight -= 1;
    const chain = batch.chainId === undefined ? undefined : this.#chains.get(batch.chainId);
    const commits: Commit[] = [];
    const exhausted: BufferedRecord[] = [];
    let next: RetrySpec[] = [];
    let retrying = false;
    let bisected = false;
    const attempt = batch.attempt + 1;
    const exhaustedByRetries =
      this.#options.maximumRetryAttempts >= 0 && attempt > this.#options.maximumRetryAttempts;

    if (outcome.kind === 'success') {
      for (const part of batch.parts) this.#settle(part.key, part.span, commits);
    } else if (outcome.kind === 'partial') {
      const retryParts: Array<{ key: string; span: number }> = [];
      for (const part of batch.parts) {
        const lowest = outcome.lowestFailedOffset.get(part.key);
        if (lowest === undefined) {
          this.#settle(part.key, part.span, commits);
          continue;
        }
        const state = this.#partitions.get(part.key);
        const before = state === undefined ? 0 : state.buffer.findIndex((r) => r.source.offset >= lowest);
        const settled = Math.max(0, Math.min(before, part.span));
        if (settled > 0) this.#settle(part.key, settled, commits);
        retryParts.push({ key: part.key, span: part.span - settled });
      }
      if (retryParts.length > 0) {
        if (exhaustedByRetries) {
          for (const part of retryParts) this.#settle(part.key, part.span, commits, exhausted);
        } else {
          next = [{ parts: retryParts, attempt, notBefore: now + this.#options.retryDelayMs(attempt) }];
          retrying = true;
        }
      }
    } else if (this.#options.bisectBatchOnFunctionError && batch.recordCount > 1) {
      // Splitting does not count against MaximumRetryAttempts (the halves keep the attempt number).
      next = this.#bisect(batch).map((parts) => ({ parts, attempt: batch.attempt, notBefore: now }));
      retrying = true;
      bisected = true;
    } else if (exhaustedByRetries) {
      for (const part of batch.parts) this.#settle(part.key, part.span, commits, exhausted);
    } else {
      next = [
        {
          parts: batch.parts.map((part) => ({ key: part.key, span: part.span })),
          attempt,
          notBefore: now + this.#options.retryDelayMs(attempt),
        },
      ];
      retrying = true;
    }

    const keys = batch.parts.map((part) => part.key);
    if (chain !== undefined) {
      chain.running = false;
      chain.specs = [...next, ...chain.specs.slice(1)];
      this.#releaseChain(chain, keys);
    } else if (next.length > 0) {
      const created: Chain = { id: this.#nextChainId++, specs: next, running: false };
      this.#chains.set(created.id, created);
      this.#releaseChain(created, keys);
    } else {
      for (const key of keys) this.#release(key);
    }
    return { commits, exhausted, exhaustedAttempts: attempt, retrying, bisected };
  }

  #release(key: string): void {
    const state = this.#partitions.get(key);
    if (state?.reserved) state.reserved = false;
  }

  /**
   * Keeps the partitions a chain still needs reserved and frees those of `candidates` (the
   * batch that just completed) that no chain holds any more; drops a finished chain.
   */
  #releaseChain(chain: Chain, candidates: readonly string[]): void {
    const held = new Set<string>();
    for (const each of this.#chains.values()) {
      for (const spec of each.specs) for (const part of spec.parts) held.add(part.key);
    }
    for (const key of held) {
      const state = this.#partitions.get(key);
      if (state !== undefined) state.reserved = true;
    }
    for (const key of candidates) if (!held.has(key)) this.#release(key);
    if (chain.specs.length === 0 && !chain.running) this.#chains.delete(chain.id);
  }

  /** Removes `count` entries from the head of a partition and commits past them. */
  #settle(key: string, count: number, commits: Commit[], exhausted?: BufferedRecord[]): void {
    const state = this.#partitions.get(key);
    if (state === undefined || count <= 0) return;
    const removed = state.buffer.splice(0, count);
    const last = removed.at(-1);
    if (last === undefined) return;
    if (exhausted !== undefined) exhausted.push(...removed.filter((record) => record.delivered));
    commits.push({ topic: state.topic, partition: state.partition, offset: last.source.offset + 1 });
  }

  #settleFilteredHeads(): Commit[] {
    const commits: Commit[] = [];
    for (const state of this.#partitions.values()) {
      if (state.reserved) continue;
      let count = 0;
      while (count < state.buffer.length && state.buffer[count]?.delivered === false) count += 1;
      if (count > 0) this.#settle(state.key, count, commits);
    }
    return commits;
  }

  #eligible(): PartitionState[] {
    return [...this.#partitions.values()].filter(
      (state) => !state.reserved && state.buffer.some((record) => record.delivered),
    );
  }

  /**
   * When the oldest waiting record became available. Records that waited behind a running
   * batch of their partition have used up that time: once it returns they go as soon as the
   * window since their arrival has passed, so a backlog's tail is not held a window more.
   */
  #windowStart(eligible: readonly PartitionState[]): number {
    let start = Number.POSITIVE_INFINITY;
    for (const state of eligible) {
      const head = state.buffer.find((record) => record.delivered);
      if (head !== undefined) start = Math.min(start, head.arrivedAt);
    }
    return start;
  }

  #freshBatch(now: number): Batch | undefined {
    const eligible = this.#eligible();
    if (eligible.length === 0) return undefined;
    const { batchSize, windowMs, maxPayloadBytes } = this.#options;
    const windowClosed = now >= this.#windowStart(eligible) + windowMs;
    if (!windowClosed && !this.#full(eligible)) return undefined;

    // Oldest-waiting partitions first, so no partition starves behind busier ones.
    const ordered = [...eligible].sort(
      (a, b) => (a.buffer[0]?.arrivedAt ?? 0) - (b.buffer[0]?.arrivedAt ?? 0) || a.key.localeCompare(b.key),
    );
    const size = new PayloadSize(this.#options.source);
    const parts: BatchPart[] = [];
    let recordCount = 0;
    let tooLarge = false;
    let full = false;
    for (const state of ordered) {
      if (full) break;
      const records: BufferedRecord[] = [];
      let span = 0;
      for (const record of state.buffer) {
        if (record.delivered) {
          if (recordCount === batchSize) {
            full = true;
            break;
          }
          if (size.with(state.key, record.bytes) > maxPayloadBytes) {
            if (recordCount > 0) {
              full = true;
              break;
            }
            tooLarge = true;
            full = true;
          }
          size.add(state.key, record.bytes);
          records.push(record);
          recordCount += 1;
        }
        span += 1;
        if (tooLarge) break;
      }
      const last = state.buffer[span - 1];
      if (span === 0 || last === undefined || records.length === 0) continue;
      state.reserved = true;
      parts.push({
        key: state.key,
        topic: state.topic,
        partition: state.partition,
        records,
        span,
        lastOffset: last.source.offset,
      });
    }
    if (parts.length === 0) return undefined;
    return {
      id: this.#nextBatchId++,
      parts,
      attempt: 0,
      recordCount,
      payloadBytes: size.bytes,
      tooLarge,
      chainId: undefined,
    };
  }

  /** True when eligible records fill a batch (by count or by payload size). */
  #full(eligible: readonly PartitionState[]): boolean {
    const size = new PayloadSize(this.#options.source);
    let count = 0;
    for (const state of eligible) {
      for (const record of state.buffer) {
        if (!record.delivered) continue;
        count += 1;
        if (count >= this.#options.batchSize) return true;
        if (size.with(state.key, record.bytes) > this.#options.maxPayloadBytes) return true;
        size.add(state.key, record.bytes);
      }
    }
    return false;
  }

  #batchFromSpec(chain: Chain, spec: RetrySpec): Batch | undefined {
    const size = new PayloadSize(this.#options.source);
    const parts: BatchPart[] = [];
    let recordCount = 0;
    for (const { key, span } of spec.parts) {
      const state = this.#partitions.get(key);
      if (state === undefined || span <= 0) continue;
      const covered = state.buffer.slice(0, span);
      const last = covered.at(-1);
      if (last === undefined) continue;
      const records = covered.filter((record) => record.delivered);
      for (const record of records) size.add(key, record.bytes);
      recordCount += records.length;
      state.reserved = true;
      parts.push({
        key,
        topic: state.topic,
        partition: state.partition,
        records,
        span: covered.length,
        lastOffset: last.source.offset,
      });
    }
    if (parts.length === 0) return undefined;
    return {
      id: this.#nextBatchId++,
      parts,
      attempt: spec.attempt,
      recordCount,
      payloadBytes: size.bytes,
      tooLarge: size.bytes > this.#options.maxPayloadBytes,
      chainId: chain.id,
    };
  }

  /** Splits a batch's delivered records in two halves, keeping each partition's order. */
  #bisect(batch: Batch): Array<Array<{ key: string; span: number }>> {
    let remaining = Math.ceil(batch.recordCount / 2);
    const first: Array<{ key: string; span: number }> = [];
    const second: Array<{ key: string; span: number }> = [];
    for (const part of batch.parts) {
      const state = this.#partitions.get(part.key);
      if (state === undefined) continue;
      let span = 0;
      if (remaining > 0) {
        for (; span < part.span; span += 1) {
          if (state.buffer[span]?.delivered) {
            if (remaining === 0) break;
            remaining -= 1;
          }
        }
      }
      if (span > 0) first.push({ key: part.key, span });
      if (part.span - span > 0) second.push({ key: part.key, span: part.span - span });
    }
    return [first, second].filter((half) => half.length > 0);
  }
}
