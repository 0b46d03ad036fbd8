import {
  type AggregateStore,
  ApplyOutcome,
  type CounterItemState,
  type CounterUpdate,
  type CounterWrite,
  encodeBucketPages,
  type ItemKey,
  type MergeResult,
  NO_USAGE,
  type PageBucketDraft,
  type PageBucketResult,
  planBucketMerge,
  SessionSketch,
  type SessionSketchDraft,
  type StoredBucket,
  updateHolds,
} from '../../../services/aggregation/index.ts';
import type { SourceId } from '../../../services/kafka/record.ts';
import { DynamoDbLimits, SinkRefusedError, utf8Bytes } from '../../../services/limits/index.ts';

type SinkLimits = { -readonly [K in keyof typeof DynamoDbLimits]: number };

/** An item as the fake keeps it. */
export interface FakeItem {
  counters: Record<string, number>;
  attributes: Record<string, string | number>;
  watermarks: Map<SourceId, number>;
  sketch?: SessionSketch;
  bucket?: StoredBucket;
}

const id = (key: ItemKey): string => `${key.pk}|${key.sk}`;

/** One request of one unit: the fake does not size items. */
const ONE_WRITE = { ...NO_USAGE, writes: 1, writeUnits: 1 };
const ONE_READ = { ...NO_USAGE, reads: 1, readUnits: 1 };

/**
 * The aggregate store port in memory, with DynamoDB's semantics for what matters here: a
 * conditional update is atomic per item, a merge is a maximum, and a write past DynamoDB's
 * limits (key bytes, exact numbers, item size: services/limits) is refused as the real
 * store refuses it.
 */
export class InMemoryAggregateStore implements AggregateStore {
  readonly items = new Map<string, FakeItem>();
  readonly #limits: SinkLimits;
  writes = 0;
  reads = 0;

  /** `limits`: DynamoDB's (services/limits), or tighter ones to see what a refusal does. */
  constructor(limits: Partial<SinkLimits> = {}) {
    this.#limits = { ...DynamoDbLimits, ...limits };
  }

  item(key: ItemKey): FakeItem | undefined {
    return this.items.get(id(key));
  }

  /** Refuses what DynamoDB refuses, as the real store reports it (SinkRefusedError). */
  #check(key: ItemKey, attributes: Readonly<Record<string, unknown>>): void {
    const refuse = (why: string) => {
      throw new SinkRefusedError(`${key.pk} ${key.sk}: ValidationException: ${why}`);
    };
    if (utf8Bytes(key.pk) > this.#limits.partitionKeyBytes) refuse('partition key too long');
    if (utf8Bytes(key.sk) > this.#limits.sortKeyBytes) refuse('sort key too long');
    let bytes = utf8Bytes(key.pk) + utf8Bytes(key.sk) + 4;
    for (const [name, value] of Object.entries(attributes)) {
      if (typeof value === 'number' && !Number.isSafeInteger(value) && Number.isInteger(value)) {
        refuse(`number ${value} of ${name} is not exact (the SDK refuses it)`);
      }
      if (typeof value === 'bigint' && value.toString().replace('-', '').length > this.#limits.numberDigits) {
        refuse(`number of ${name} has more than ${this.#limits.numberDigits} digits`);
      }
      bytes += utf8Bytes(name) + (typeof value === 'string' ? utf8Bytes(value) : 21);
    }
    if (bytes > this.#limits.itemBytes) refuse('item size has exceeded the maximum allowed size');
  }

  async applyCounters(update: CounterUpdate): Promise<CounterWrite> {
    this.writes += 1;
    this.#check(update.key, { ...update.attributes, ...update.counters });
    const item = this.#itemOrNew(update.key);
    if (!updateHolds(update, item.watermarks)) return { outcome: ApplyOutcome.Stale, usage: ONE_WRITE };
    for (const [name, delta] of Object.entries(update.counters))
      item.counters[name] = (item.counters[name] ?? 0) + delta;
    Object.assign(item.attributes, update.attributes);
    for (const { source, through } of update.sources) item.watermarks.set(source, through);
    return { outcome: ApplyOutcome.Applied, usage: ONE_WRITE };
  }

  async readCounterItem(key: ItemKey, sources: readonly SourceId[]): Promise<CounterItemState> {
    this.reads += 1;
    const item = this.items.get(id(key));
    return {
      watermarks: new Map(
        sources.flatMap((source) => {
          const watermark = item?.watermarks.get(source);
          return watermark === undefined ? [] : [[source, watermark] as const];
        }),
      ),
      usage: ONE_READ,
    };
  }

  async mergeSessionSketch(draft: SessionSketchDraft): Promise<MergeResult> {
    this.reads += 1;
    const stored = this.items.get(id(draft.key))?.sketch;
    if (stored?.covers(draft.sketch)) return { changed: false, conflicts: 0, usage: ONE_READ };
    this.writes += 1;
    this.#check(draft.key, { entity: 'SessionSketch', minute: draft.minute, expiresAt: draft.expiresAt });
    const item = this.#itemOrNew(draft.key);
    item.sketch = (stored ?? SessionSketch.empty()).union(draft.sketch);
    Object.assign(item.attributes, {
      entity: 'SessionSketch',
      minute: draft.minute,
      expiresAt: draft.expiresAt,
    });
    return { changed: true, conflicts: 0, usage: { ...ONE_WRITE, reads: 1, readUnits: 1 } };
  }

  async mergePageBucket(draft: PageBucketDraft): Promise<PageBucketResult> {
    this.reads += 1;
    const stored = this.items.get(id(draft.key))?.bucket;
    const plan = planBucketMerge(stored ?? { pages: new Map(), watermark: -1 }, draft.contributions);
    const result = { applied: plan.applied, overflow: plan.overflow, conflicts: 0 };
    if (plan.next === undefined) return { ...result, changed: false, usage: ONE_READ };
    this.writes += 1;
    this.#check(draft.key, { pages: encodeBucketPages(plan.next.pages), wm: plan.next.watermark });
    const item = this.#itemOrNew(draft.key);
    item.bucket = plan.next;
    Object.assign(item.attributes, {
      entity: 'PageBucket',
      minute: draft.minute,
      expiresAt: draft.expiresAt,
    });
    return { ...result, changed: true, usage: { ...ONE_WRITE, reads: 1, readUnits: 1 } };
  }

  #itemOrNew(key: ItemKey): FakeItem {
    let item = this.items.get(id(key));
    if (item === undefined) {
      item = { counters: {}, attributes: {}, watermarks: new Map() };
      this.items.set(id(key), item);
    }
    return item;
  }
}
