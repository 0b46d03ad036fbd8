import {
  type AggregateStore,
  ApplyOutcome,
  type CounterUpdate,
  type ItemKey,
  type SessionSetDraft,
  updateHolds,
  type Watermarks,
} from '../../../services/aggregation/index.ts';
import type { SourceId } from '../../../services/kafka/record.ts';

/** An item as the fake keeps it. */
export interface FakeItem {
  counters: Record<string, number>;
  attributes: Record<string, string | number>;
  watermarks: Map<SourceId, number>;
  sessions: Set<string>;
}

const id = (key: ItemKey): string => `${key.pk}|${key.sk}`;

/**
 * The aggregate store port in memory, with DynamoDB's semantics for what matters here: a
 * conditional update is atomic per item.
 */
export class InMemoryAggregateStore implements AggregateStore {
  readonly items = new Map<string, FakeItem>();
  writes = 0;
  reads = 0;
  item(key: ItemKey): FakeItem | undefined {
    return this.items.get(id(key));
  }

  async applyCounters(update: CounterUpdate): Promise<ApplyOutcome> {
    this.writes += 1;
    const item = this.#itemOrNew(update.key);
    if (!updateHolds(update, item.watermarks)) return ApplyOutcome.Stale;
    for (const [name, delta] of Object.entries(update.counters))
      item.counters[name] = (item.counters[name] ?? 0) + delta;
    Object.assign(item.attributes, update.attributes);
    for (const { source, through } of update.sources) item.watermarks.set(source, through);
    return ApplyOutcome.Applied;
  }

  async readWatermarks(key: ItemKey, sources: readonly SourceId[]): Promise<Watermarks> {
    this.reads += 1;
    const item = this.items.get(id(key));
    return new Map(
      sources.flatMap((source) => {
        const watermark = item?.watermarks.get(source);
        return watermark === undefined ? [] : [[source, watermark] as const];
      }),
    );
  }

  async addSessions(draft: SessionSetDraft): Promise<void> {
    this.writes += 1;
    const item = this.#itemOrNew(draft.key);
    Object.assign(item.attributes, {
      entity: 'SessionSet',
      minute: draft.minute,
      expiresAt: draft.expiresAt,
    });
    for (const session of draft.sessions) item.sessions.add(session);
  }

  #itemOrNew(key: ItemKey): FakeItem {
    let item = this.items.get(id(key));
    if (item === undefined) {
      item = { counters: {}, attributes: {}, watermarks: new Map(), sessions: new Set() };
      this.items.set(id(key), item);
    }
    return item;
  }
}
