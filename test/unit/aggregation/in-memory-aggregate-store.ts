import {
  type AggregateStore,
  ApplyOutcome,
  type CounterItemState,
  type CounterUpdate,
  type CounterWrite,
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
 * conditional update is atomic per item, and a merge is a maximum.
 */
export class InMemoryAggregateStore implements AggregateStore {
  readonly items = new Map<string, FakeItem>();
  writes = 0;
  reads = 0;
  item(key: ItemKey): FakeItem | undefined {
    return this.items.get(id(key));
  }

  async applyCounters(update: CounterUpdate): Promise<CounterWrite> {
    this.writes += 1;
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
    const item = this.#itemOrNew(draft.key);
    const current = item.sketch ?? SessionSketch.empty();
    if (item.sketch !== undefined && current.covers(draft.sketch)) {
      return { changed: false, conflicts: 0, usage: ONE_READ };
    }
    this.writes += 1;
    item.sketch = current.union(draft.sketch);
    Object.assign(item.attributes, {
      entity: 'SessionSketch',
      minute: draft.minute,
      expiresAt: draft.expiresAt,
    });
    return { changed: true, conflicts: 0, usage: { ...ONE_WRITE, reads: 1, readUnits: 1 } };
  }

  async mergePageBucket(draft: PageBucketDraft): Promise<PageBucketResult> {
    this.reads += 1;
    const item = this.#itemOrNew(draft.key);
    const plan = planBucketMerge(item.bucket ?? { pages: new Map(), watermark: -1 }, draft.contributions);
    const result = { applied: plan.applied, overflow: plan.overflow, conflicts: 0 };
    if (plan.next === undefined) return { ...result, changed: false, usage: ONE_READ };
    this.writes += 1;
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
