import type { SourceId } from '../kafka/record.ts';
import { isSinkRefusal } from '../limits/index.ts';
import {
  type AggregateStore,
  ApplyOutcome,
  addUsage,
  type MergeResult,
  NO_USAGE,
  type PageBucketResult,
  type StoreUsage,
} from './aggregate-store.ts';
import type {
  CounterItemDraft,
  PageBucketDraft,
  RecordContribution,
  SessionSketchDraft,
} from './batch-aggregate.ts';
import { MAX_SOURCES_PER_UPDATE } from './data-model.ts';
import { WatermarkContentionError } from './errors.ts';
import { SessionSketch } from './session-sketch.ts';
import { pendingUpdate } from './watermark.ts';

/**
 * How each kind of item is written, and what happens when the sink refuses a write: an answer
 * no retry changes (services/limits/sink-refusal.ts). Every kind isolates the records behind a
 * refused write so that only they leave the count, dead-lettered by `refuse` (reason
 * PROCESSING_FAILED with the sink's message), and the batch carries on; any other error is
 * thrown, so that throttling, timeouts and network errors still fail (and retry) the batch. A
 * refusal is per item: a record's contributions to its other items stand.
 */

/** Dead-letters the record at `offset` of `source`, refused by the sink with `error`. */
export type Refuse = (source: SourceId, offset: number, error: unknown) => Promise<void>;

/** What writing one counter item did. */
export interface ItemOutcome {
  readonly usage: StoreUsage;
  readonly conflicts: number;
  readonly alreadyApplied: boolean;
}

/**
 * Applies every record of `draft` that the item does not contain yet, exactly once.
 *
 * The first attempt is optimistic: it assumes no record of the batch is in the item, so it
 * costs one request. If a watermark proves otherwise (a retried batch), it reads the
 * watermarks and writes only the records above them, under the same condition, until a
 * write holds or nothing is left to write.
 */
const applyCounterItem = async (
  draft: CounterItemDraft,
  store: AggregateStore,
  maxAttempts: number,
): Promise<ItemOutcome> => {
  let update = pendingUpdate(draft, new Map());
  let usage = NO_USAGE;
  let conflicts = 0;
  while (update !== undefined) {
    const written = await store.applyCounters(update);
    usage = addUsage(usage, written.usage);
    if (written.outcome === ApplyOutcome.Applied) return { usage, conflicts, alreadyApplied: false };
    conflicts += 1;
    if (conflicts >= maxAttempts) {
      throw new WatermarkContentionError(
        `${draft.key.pk} ${draft.key.sk}: watermarks still moving after ${conflicts} conditional writes`,
      );
    }
    const state = await store.readCounterItem(draft.key, [...draft.contributions.keys()]);
    usage = addUsage(usage, state.usage);
    update = pendingUpdate(draft, state.watermarks);
  }
  return { usage, conflicts, alreadyApplied: true };
};

/**
 * Splits a draft touched by more source partitions than one condition may name into
 * drafts of at most {@link MAX_SOURCES_PER_UPDATE} partitions each (data-model.ts).
 */
export const withinConditionLimit = (draft: CounterItemDraft): CounterItemDraft[] => {
  const sources = [...draft.contributions.entries()];
  if (sources.length <= MAX_SOURCES_PER_UPDATE) return [draft];
  const parts: CounterItemDraft[] = [];
  for (let at = 0; at < sources.length; at += MAX_SOURCES_PER_UPDATE) {
    parts.push({ ...draft, contributions: new Map(sources.slice(at, at + MAX_SOURCES_PER_UPDATE)) });
  }
  return parts;
};

/**
 * What one source partition may add to one counter in one update: the deltas of an update
 * (up to {@link MAX_SOURCES_PER_UPDATE} partitions) then add up to at most 2^53 - 1, so the
 * request carries them exactly; DynamoDB adds them to the stored value exactly, up to its 38
 * digits (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-data-types-numbers).
 */
const MAX_SOURCE_DELTA = Math.floor(Number.MAX_SAFE_INTEGER / MAX_SOURCES_PER_UPDATE);

/**
 * Cuts each partition's contributions into runs whose sums stay within
 * {@link MAX_SOURCE_DELTA}; part `i` holds every partition's run `i`. The parts must be applied
 * in order: each moves the watermark its successor's condition expects to find below it. One
 * record never exceeds the bound (MAX_ORDER_CENTS), so every run holds at least one record.
 */
const withinExactSums = (draft: CounterItemDraft): CounterItemDraft[] => {
  const parts: Map<SourceId, RecordContribution[]>[] = [];
  for (const [source, contributions] of draft.contributions) {
    let run = 0;
    let sums = new Map<string, number>();
    for (const contribution of contributions) {
      const fits = Object.entries(contribution.counters).every(
        ([name, value]) => (sums.get(name) ?? 0) + value <= MAX_SOURCE_DELTA,
      );
      if (!fits) {
        run += 1;
        sums = new Map();
      }
      for (const [name, value] of Object.entries(contribution.counters)) {
        sums.set(name, (sums.get(name) ?? 0) + value);
      }
      parts[run] ??= new Map();
      const part = parts[run] as Map<SourceId, RecordContribution[]>;
      const list = part.get(source);
      if (list === undefined) part.set(source, [contribution]);
      else list.push(contribution);
    }
  }
  return parts.length <= 1 ? [draft] : parts.map((contributions) => ({ ...draft, contributions }));
};

/**
 * Applies a draft; if the sink refuses it (a request no retry changes: sink-refusal.ts), applies
 * its records one at a time, in offset order, and hands each refused record to `refuse`, which
 * dead-letters it before the next record moves the watermark past it. A refusal is per item:
 * the record's contributions to its other items stand.
 */
export const applyOrIsolate = async (
  draft: CounterItemDraft,
  store: AggregateStore,
  maxAttempts: number,
  refuse: Refuse,
): Promise<ItemOutcome> => {
  try {
    return await applyInOrder(withinExactSums(draft), store, maxAttempts);
  } catch (error) {
    if (!isSinkRefusal(error)) throw error;
  }
  const single: CounterItemDraft[] = [];
  for (const [source, contributions] of draft.contributions) {
    for (const contribution of contributions) {
      single.push({ ...draft, contributions: new Map([[source, [contribution]]]) });
    }
  }
  let outcome: ItemOutcome = { usage: NO_USAGE, conflicts: 0, alreadyApplied: false };
  for (const part of single) {
    try {
      const next = await applyCounterItem(part, store, maxAttempts);
      outcome = {
        ...outcome,
        usage: addUsage(outcome.usage, next.usage),
        conflicts: outcome.conflicts + next.conflicts,
      };
    } catch (error) {
      if (!isSinkRefusal(error)) throw error;
      const [[source, [contribution]]] = [...part.contributions] as [[SourceId, [RecordContribution]]];
      await refuse(source, contribution.offset, error);
    }
  }
  return outcome;
};

/** Applies the parts of one draft one after the other (see {@link withinExactSums}). */
const applyInOrder = async (
  parts: readonly CounterItemDraft[],
  store: AggregateStore,
  maxAttempts: number,
): Promise<ItemOutcome> => {
  let outcome: ItemOutcome = { usage: NO_USAGE, conflicts: 0, alreadyApplied: true };
  for (const part of parts) {
    const next = await applyCounterItem(part, store, maxAttempts);
    outcome = {
      usage: addUsage(outcome.usage, next.usage),
      conflicts: outcome.conflicts + next.conflicts,
      alreadyApplied: outcome.alreadyApplied && next.alreadyApplied,
    };
  }
  return outcome;
};

/**
 * Merges a page bucket; if the sink refuses the merge, merges its records one at a time, in
 * offset order, and at the first one refused stops using the bucket for this batch: that
 * record and every later one go to their own page items, as the pages a full bucket cannot
 * admit do (page-bucket.ts), where a refusal dead-letters the record (applyOrIsolate).
 *
 * Why not dead-letter the refused record and go on with the bucket: a later record would move
 * the bucket's watermark past it, and a retry of the batch would then route it, as a page the
 * bucket did not admit, to its page item: counted and dead-lettered. Stopping keeps the
 * watermark below every record routed away; a retry meets the same stored bucket and the same
 * records, gets the same refusal (a refusal is an answer to the request as sent), and routes
 * them to the same page items, whose watermarks make that idempotent.
 */
export const mergeBucketOrIsolate = async (
  draft: PageBucketDraft,
  store: AggregateStore,
): Promise<PageBucketResult> => {
  try {
    return await store.mergePageBucket(draft);
  } catch (error) {
    if (!isSinkRefusal(error)) throw error;
  }
  let result: PageBucketResult = { applied: 0, overflow: [], changed: false, conflicts: 0, usage: NO_USAGE };
  for (const [at, contribution] of draft.contributions.entries()) {
    try {
      const next = await store.mergePageBucket({ ...draft, contributions: [contribution] });
      result = {
        applied: result.applied + next.applied,
        overflow: [...result.overflow, ...next.overflow],
        changed: result.changed || next.changed,
        conflicts: result.conflicts + next.conflicts,
        usage: addUsage(result.usage, next.usage),
      };
    } catch (error) {
      if (!isSinkRefusal(error)) throw error;
      return { ...result, overflow: [...result.overflow, ...draft.contributions.slice(at)] };
    }
  }
  return result;
};

/**
 * Merges a session sketch; if the sink refuses it, merges each record's session alone and
 * dead-letters the records refused. A sketch merge is a register-wise maximum, so merging a
 * session again (here, or in a retry) changes nothing: no watermark to keep.
 */
export const mergeSketchOrIsolate = async (
  draft: SessionSketchDraft,
  store: AggregateStore,
  refuse: Refuse,
): Promise<MergeResult> => {
  try {
    return await store.mergeSessionSketch(draft);
  } catch (error) {
    if (!isSinkRefusal(error)) throw error;
  }
  let result: MergeResult = { changed: false, conflicts: 0, usage: NO_USAGE };
  for (const { offset, sessionId } of draft.sessions) {
    try {
      const next = await store.mergeSessionSketch({ ...draft, sketch: SessionSketch.of([sessionId]) });
      result = {
        changed: result.changed || next.changed,
        conflicts: result.conflicts + next.conflicts,
        usage: addUsage(result.usage, next.usage),
      };
    } catch (error) {
      if (!isSinkRefusal(error)) throw error;
      await refuse(draft.source, offset, error);
    }
  }
  return result;
};
