import type { SourceId } from '../kafka/record.ts';
import type { CounterItemDraft } from './batch-aggregate.ts';
import type { Entity, ItemKey } from './data-model.ts';

/**
 * The highest offset of each source partition already applied to an item. A partition
 * absent from the map has applied nothing to the item.
 */
export type Watermarks = ReadonlyMap<SourceId, number>;

/** What one source partition contributes to a conditional update. */
export interface SourceStep {
  readonly source: SourceId;
  /**
   * The lowest offset being applied. The update holds only if the item's watermark for
   * the partition is absent or below it: none of these records is in the item yet.
   */
  readonly from: number;
  /** The highest offset being applied: the watermark after the update. */
  readonly through: number;
}

/** One conditional write: counters to add, and the watermarks it moves. */
export interface CounterUpdate {
  readonly key: ItemKey;
  readonly entity: Entity;
  readonly attributes: Readonly<Record<string, string | number>>;
  /** Every counter of the item kind (zero when the batch does not move it). */
  readonly counters: Readonly<Record<string, number>>;
  readonly sources: readonly SourceStep[];
  /** How many records the update applies. */
  readonly records: number;
}

/**
 * The part of a draft not yet in the item, given the item's watermarks: per source
 * partition, only the contributions with an offset above the watermark. `undefined` when
 * everything is already applied (a redelivered batch).
 *
 * With empty watermarks this is the whole batch: the optimistic first attempt.
 */
export const pendingUpdate = (draft: CounterItemDraft, watermarks: Watermarks): CounterUpdate | undefined => {
  const counters: Record<string, number> = Object.fromEntries(draft.counterNames.map((name) => [name, 0]));
  const sources: SourceStep[] = [];
  let records = 0;
  for (const [source, contributions] of draft.contributions) {
    const watermark = watermarks.get(source) ?? -1;
    let from: number | undefined;
    let through = -1;
    for (const { offset, counters: delta } of contributions) {
      if (offset <= watermark) continue;
      from ??= offset;
      through = Math.max(through, offset);
      records += 1;
      for (const [name, value] of Object.entries(delta)) counters[name] = (counters[name] ?? 0) + value;
    }
    if (from !== undefined) sources.push({ source, from, through });
  }
  if (sources.length === 0) return undefined;
  return {
    key: draft.key,
    entity: draft.entity,
    attributes: draft.attributes,
    counters,
    sources,
    records,
  };
};

/** Whether an update's condition holds against an item's current watermarks. */
export const updateHolds = (update: CounterUpdate, watermarks: Watermarks): boolean =>
  update.sources.every(({ source, from }) => {
    const watermark = watermarks.get(source);
    return watermark === undefined || watermark < from;
  });
