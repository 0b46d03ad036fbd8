import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  DEFAULT_MAX_FUTURE_MS,
  DEFAULT_MAX_PAST_MS,
  decodeEvent,
  EventDecodeError,
  valueEncodingOf,
} from '../clickstream/index.ts';
import { isRetriable, PROCESSING_FAILED } from '../commons/errors.ts';
import type { MetricsSink } from '../commons/metrics-sink.ts';
import { type DeadLetter, type DeadLetterPublisher, deadLetterOf } from '../dead-letter/index.ts';
import {
  hasTimestamp,
  type SourceId,
  type SourceRecord,
  sourceIdOf,
  UNREADABLE_RECORD,
} from '../kafka/record.ts';
import { isSinkRefusal, sinkMessageOf } from '../limits/index.ts';
import {
  type AggregateStore,
  ApplyOutcome,
  addUsage,
  type MergeResult,
  NO_USAGE,
  type PageBucketResult,
  type StoreUsage,
} from './aggregate-store.ts';
import {
  aggregateEvents,
  type BatchAggregate,
  type CounterItemDraft,
  overflowPageItems,
  type RecordContribution,
  type SourcedEvent,
} from './batch-aggregate.ts';
import { runWithConcurrency } from './concurrency.ts';
import { MAX_SOURCES_PER_UPDATE } from './data-model.ts';
import { WatermarkContentionError } from './errors.ts';
import { pendingUpdate } from './watermark.ts';

/** What {@link aggregateBatch} needs, passed in by the entry point. */
export interface AggregationDependencies {
  readonly store: AggregateStore;
  readonly deadLetters: DeadLetterPublisher;
  readonly logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
  readonly metrics: MetricsSink;
  /** How long time-bucketed items live (the `expiresAt` TTL). */
  readonly retentionDays: number;
  /** How many store requests may be in flight at once. */
  readonly writeConcurrency: number;
  /** Conditional attempts per item before giving up on a moving watermark (default 5). */
  readonly maxConditionalAttempts?: number;
  /**
   * How far an event's time may be from its record's Kafka timestamp (defaults: 7 days back,
   * 1 day ahead); an event outside is dead-lettered as EVENT_TIME_OUT_OF_RANGE.
   */
  readonly eventTimeBounds?: { readonly maxPastMs: number; readonly maxFutureMs: number };
  /** The clock for TTLs (epoch ms); `Date.now` by default. */
  readonly now?: () => number;
}

/** What a batch did, for logs, metrics and tests. */
export interface BatchSummary {
  readonly records: number;
  readonly events: number;
  /** Records delivered twice within the batch (same partition and offset), counted once. */
  readonly duplicates: number;
  readonly poison: number;
  /** Funnel items and overflow page items (conditional counter updates). */
  readonly counterItems: number;
  readonly pageBuckets: number;
  /** Records of pages their bucket did not admit, counted in their own page items. */
  readonly overflowRecords: number;
  readonly sessionSketches: number;
  /** Counter items and buckets already containing every record of this batch (a redelivery). */
  readonly itemsAlreadyApplied: number;
  /** Conditional writes refused because part of the batch was already applied. */
  readonly watermarkConflicts: number;
  /** Sketch and bucket writes refused because the item changed between read and write. */
  readonly mergeConflicts: number;
  readonly writeRequests: number;
  readonly readRequests: number;
  /** Write request units, as DynamoDB reports them: what the table bills. */
  readonly writeUnits: number;
  readonly readUnits: number;
}

interface ItemOutcome {
  readonly usage: StoreUsage;
  readonly conflicts: number;
  readonly alreadyApplied: boolean;
}

const DEFAULT_MAX_CONDITIONAL_ATTEMPTS = 5;

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
const withinConditionLimit = (draft: CounterItemDraft): CounterItemDraft[] => {
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
const applyOrIsolate = async (
  draft: CounterItemDraft,
  store: AggregateStore,
  maxAttempts: number,
  refuse: (source: SourceId, offset: number, error: unknown) => Promise<void>,
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

/** The records of one batch by coordinates, and the dead letters found so far. */
interface BatchLedger {
  readonly byCoordinates: Map<string, SourceRecord>;
  readonly letters: DeadLetter[];
  /** Records the sink refused, each already dead-lettered on its own (applyOrIsolate). */
  refused: number;
}

type Poison = (record: SourceRecord, reason: string, detail: string) => void;

/** Logs a poison record and queues its dead letter, published after the aggregates. */
const poisonInto =
  (ledger: BatchLedger, logger: AggregationDependencies['logger']): Poison =>
  (record, reason, detail) => {
    logger.warn('poison record; it goes to the dead-letter topic with this batch', {
      reason,
      detail,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
    });
    ledger.letters.push(deadLetterOf(record, reason, detail));
  };

/**
 * Phase 1: decodes each record once (a redelivery within the batch is counted as a duplicate),
 * poisoning unreadable and undecodable ones. Returns the events and the duplicate count.
 *
 * @throws a retriable error from decoding, unchanged.
 */
const decodeRecords = (
  records: readonly SourceRecord[],
  ledger: BatchLedger,
  poison: Poison,
  bounds: { readonly maxPastMs: number; readonly maxFutureMs: number },
): { readonly events: SourcedEvent[]; readonly duplicates: number } => {
  const events: SourcedEvent[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const record of records) {
    const source = sourceIdOf(record);
    const id = `${source}@${record.offset}`;
    if (seen.has(id)) {
      duplicates += 1;
      continue;
    }
    seen.add(id);
    ledger.byCoordinates.set(id, record);
    if (record.defect !== undefined) {
      poison(record, UNREADABLE_RECORD, record.defect);
      continue;
    }
    try {
      const referenceTime = hasTimestamp(record) ? record.timestamp : undefined;
      events.push({
        event: decodeEvent(
          record.value,
          { referenceTime, ...bounds },
          valueEncodingOf(record.value, record.valueSchemaMetadata),
        ),
        source,
        offset: record.offset,
      });
    } catch (error) {
      if (error instanceof EventDecodeError) poison(record, error.reason, error.detail);
      else if (isRetriable(error)) throw error;
      else poison(record, PROCESSING_FAILED, String(error));
    }
  }
  return { events, duplicates };
};

/** Phase 2: poisons the records the aggregation rejected; a retriable rejection fails the batch. */
const poisonRejected = (rejected: BatchAggregate['rejected'], ledger: BatchLedger, poison: Poison): void => {
  for (const { source, offset, error } of rejected) {
    if (isRetriable(error)) throw error;
    const record = ledger.byCoordinates.get(`${source}@${offset}`);
    if (record !== undefined) poison(record, PROCESSING_FAILED, String(error));
  }
};

/** What phase 3 wrote, item by item. */
interface WriteOutcomes {
  readonly counterOutcomes: readonly ItemOutcome[];
  readonly bucketOutcomes: readonly PageBucketResult[];
  readonly sketchOutcomes: readonly MergeResult[];
  readonly overflowDrafts: readonly CounterItemDraft[];
}

/**
 * Phase 3: writes the aggregate. Funnels, page buckets and sketches are independent. Pages a
 * bucket does not admit go to their own items second: a crash in between is repaired by the
 * retry, whose bucket merge routes the same records to the same page items again
 * (page-bucket.ts). A record the sink refuses is dead-lettered at once and counted in `ledger`.
 */
const writeAggregate = async (
  aggregate: BatchAggregate,
  ledger: BatchLedger,
  dependencies: AggregationDependencies,
): Promise<WriteOutcomes> => {
  const { store, deadLetters, logger } = dependencies;
  const maxAttempts = dependencies.maxConditionalAttempts ?? DEFAULT_MAX_CONDITIONAL_ATTEMPTS;
  const refuse = async (source: SourceId, offset: number, error: unknown): Promise<void> => {
    const record = ledger.byCoordinates.get(`${source}@${offset}`);
    if (record === undefined) throw error;
    const detail = `the sink refused its write: ${sinkMessageOf(error)}`;
    logger.warn('record refused by the sink; dead-lettered', { detail, source, offset });
    ledger.refused += 1;
    await deadLetters.publish([deadLetterOf(record, PROCESSING_FAILED, detail)]);
  };
  const applyAll = (drafts: readonly CounterItemDraft[]) =>
    runWithConcurrency<ItemOutcome>(
      drafts
        .flatMap(withinConditionLimit)
        .map((draft) => () => applyOrIsolate(draft, store, maxAttempts, refuse)),
      dependencies.writeConcurrency,
    );
  const [funnelOutcomes, bucketOutcomes, sketchOutcomes] = await Promise.all([
    applyAll(aggregate.counterItems),
    runWithConcurrency<PageBucketResult>(
      aggregate.pageBuckets.map((draft) => () => store.mergePageBucket(draft)),
      dependencies.writeConcurrency,
    ),
    runWithConcurrency<MergeResult>(
      aggregate.sessionSketches.map((draft) => () => store.mergeSessionSketch(draft)),
      dependencies.writeConcurrency,
    ),
  ]);
  const overflowDrafts = aggregate.pageBuckets.flatMap((bucket, i) =>
    overflowPageItems(bucket, bucketOutcomes[i]?.overflow ?? []),
  );
  const counterOutcomes = [...funnelOutcomes, ...(await applyAll(overflowDrafts))];
  return { counterOutcomes, bucketOutcomes, sketchOutcomes, overflowDrafts };
};

/** Phase 4: what the batch did, from the counts of the phases before. */
const summarize = (
  records: number,
  decoded: { readonly events: readonly SourcedEvent[]; readonly duplicates: number },
  aggregate: BatchAggregate,
  ledger: BatchLedger,
  written: WriteOutcomes,
): BatchSummary => {
  const { counterOutcomes, bucketOutcomes, sketchOutcomes, overflowDrafts } = written;
  const merges = [...sketchOutcomes, ...bucketOutcomes];
  const usage = [...counterOutcomes, ...merges].reduce(
    (sum, outcome) => addUsage(sum, outcome.usage),
    NO_USAGE,
  );
  const bucketsAlreadyApplied = bucketOutcomes.filter(
    (outcome) => outcome.applied === 0 && outcome.overflow.length === 0,
  ).length;
  return {
    records,
    events: decoded.events.length - aggregate.rejected.length,
    duplicates: decoded.duplicates,
    poison: ledger.letters.length + ledger.refused,
    counterItems: aggregate.counterItems.length + overflowDrafts.length,
    pageBuckets: aggregate.pageBuckets.length,
    overflowRecords: bucketOutcomes.reduce((sum, outcome) => sum + outcome.overflow.length, 0),
    sessionSketches: aggregate.sessionSketches.length,
    itemsAlreadyApplied:
      counterOutcomes.filter((outcome) => outcome.alreadyApplied).length + bucketsAlreadyApplied,
    watermarkConflicts: counterOutcomes.reduce((sum, outcome) => sum + outcome.conflicts, 0),
    mergeConflicts: merges.reduce((sum, outcome) => sum + outcome.conflicts, 0),
    writeRequests: usage.writes,
    readRequests: usage.reads,
    writeUnits: usage.writeUnits,
    readUnits: usage.readUnits,
  };
};

const recordMetrics = (metrics: MetricsSink, summary: BatchSummary): void => {
  metrics.addMetric('RecordsReceived', MetricUnit.Count, summary.records);
  metrics.addMetric('EventsAggregated', MetricUnit.Count, summary.events);
  metrics.addMetric('PoisonRecords', MetricUnit.Count, summary.poison);
  metrics.addMetric('DynamoDBWriteRequests', MetricUnit.Count, summary.writeRequests);
  metrics.addMetric('DynamoDBReadRequests', MetricUnit.Count, summary.readRequests);
  metrics.addMetric('DynamoDBWriteUnits', MetricUnit.Count, summary.writeUnits);
  metrics.addMetric('DynamoDBReadUnits', MetricUnit.Count, summary.readUnits);
  metrics.addMetric('WatermarkConflicts', MetricUnit.Count, summary.watermarkConflicts);
};

/**
 * Aggregates one batch of clickstream records into the analytics table, effectively once
 * (docs/effectively-once.md): a batch delivered again, whole or cut differently, adds
 * nothing twice and loses nothing.
 *
 * Poison records (unreadable, undecodable, invalid, oversized, empty, out of the event-time
 * bounds) go to the dead-letter topic and the batch carries on; so does a record whose
 * processing fails with an error that is not retriable (reason PROCESSING_FAILED: a bug must
 * not stall its partition), and a record whose write the sink refuses (applyOrIsolate, which
 * dead-letters it at once). Only retriable (infrastructure) errors fail the batch. Aggregates
 * are written before the other dead letters: if the store fails, none has been written yet, so
 * a retry does not write them twice.
 *
 * @throws {AggregateStoreError | WatermarkContentionError | DeadLetterPublishError} when a
 *   retry can fix it: the caller fails the batch so that it is redelivered.
 */
export const aggregateBatch = async (
  records: readonly SourceRecord[],
  dependencies: AggregationDependencies,
): Promise<BatchSummary> => {
  const ledger: BatchLedger = { byCoordinates: new Map(), letters: [], refused: 0 };
  const poison = poisonInto(ledger, dependencies.logger);
  const bounds = dependencies.eventTimeBounds ?? {
    maxPastMs: DEFAULT_MAX_PAST_MS,
    maxFutureMs: DEFAULT_MAX_FUTURE_MS,
  };
  const decoded = decodeRecords(records, ledger, poison, bounds);
  const now = (dependencies.now ?? Date.now)();
  const aggregate = aggregateEvents(decoded.events, dependencies.retentionDays, now);
  poisonRejected(aggregate.rejected, ledger, poison);
  const written = await writeAggregate(aggregate, ledger, dependencies);
  await dependencies.deadLetters.publish(ledger.letters);
  const summary = summarize(records.length, decoded, aggregate, ledger, written);
  recordMetrics(dependencies.metrics, summary);
  dependencies.logger.info('batch aggregated', { ...summary });
  return summary;
};
