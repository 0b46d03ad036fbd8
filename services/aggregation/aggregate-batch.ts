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
import { hasTimestamp, type SourceRecord, sourceIdOf, UNREADABLE_RECORD } from '../kafka/record.ts';
import { sinkMessageOf } from '../limits/index.ts';
import {
  type AggregateStore,
  addUsage,
  type MergeResult,
  NO_USAGE,
  type PageBucketResult,
} from './aggregate-store.ts';
import {
  applyOrIsolate,
  type ItemOutcome,
  mergeBucketOrIsolate,
  mergeSketchOrIsolate,
  type Refuse,
  withinConditionLimit,
} from './apply-items.ts';
import {
  aggregateEvents,
  type BatchAggregate,
  type CounterItemDraft,
  overflowPageItems,
  type SourcedEvent,
} from './batch-aggregate.ts';
import { runWithConcurrency } from './concurrency.ts';

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

const DEFAULT_MAX_CONDITIONAL_ATTEMPTS = 5;

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

/** What the decoding phase leaves for the writes and the summary: one per batch. */
interface BatchLedger {
  readonly events: SourcedEvent[];
  /** Dead letters published after the aggregates are written. */
  readonly letters: DeadLetter[];
  /** Each record by `source@offset`, to dead-letter what a later phase rejects. */
  readonly byCoordinates: Map<string, SourceRecord>;
  duplicates: number;
  /** Records the sink refused, dead-lettered at once. */
  refused: number;
}

type Poison = (record: SourceRecord, reason: string, detail: string) => void;

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
 * Decodes each record once (a record delivered twice in the batch is counted once): valid
 * events into the ledger, poison records into its dead letters. A retriable error fails the batch.
 */
const decodeRecords = (
  records: readonly SourceRecord[],
  ledger: BatchLedger,
  poison: Poison,
  dependencies: AggregationDependencies,
): void => {
  const bounds = dependencies.eventTimeBounds ?? {
    maxPastMs: DEFAULT_MAX_PAST_MS,
    maxFutureMs: DEFAULT_MAX_FUTURE_MS,
  };
  for (const record of records) {
    const source = sourceIdOf(record);
    const id = `${source}@${record.offset}`;
    if (ledger.byCoordinates.has(id)) {
      ledger.duplicates += 1;
      continue;
    }
    ledger.byCoordinates.set(id, record);
    if (record.defect !== undefined) {
      poison(record, UNREADABLE_RECORD, record.defect);
      continue;
    }
    try {
      const referenceTime = hasTimestamp(record) ? record.timestamp : undefined;
      ledger.events.push({
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
};

/** What the writes of a batch came to, item kind by item kind. */
interface WriteOutcomes {
  readonly counters: readonly ItemOutcome[];
  readonly buckets: readonly PageBucketResult[];
  readonly sketches: readonly MergeResult[];
  readonly overflowItems: number;
}

/**
 * Writes the batch's aggregate. Funnels, page buckets and sketches are independent. Pages a
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
  const refuse: Refuse = async (source, offset, error) => {
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
  const [funnelOutcomes, buckets, sketches] = await Promise.all([
    applyAll(aggregate.counterItems),
    runWithConcurrency<PageBucketResult>(
      aggregate.pageBuckets.map((draft) => () => mergeBucketOrIsolate(draft, store)),
      dependencies.writeConcurrency,
    ),
    runWithConcurrency<MergeResult>(
      aggregate.sessionSketches.map((draft) => () => mergeSketchOrIsolate(draft, store, refuse)),
      dependencies.writeConcurrency,
    ),
  ]);
  const overflowDrafts = aggregate.pageBuckets.flatMap((bucket, i) =>
    overflowPageItems(bucket, buckets[i]?.overflow ?? []),
  );
  const counters = [...funnelOutcomes, ...(await applyAll(overflowDrafts))];
  return { counters, buckets, sketches, overflowItems: overflowDrafts.length };
};

const summarize = (
  records: number,
  aggregate: BatchAggregate,
  ledger: BatchLedger,
  outcomes: WriteOutcomes,
): BatchSummary => {
  const { counters, buckets, sketches } = outcomes;
  const merges = [...sketches, ...buckets];
  const usage = [...counters, ...merges].reduce((sum, outcome) => addUsage(sum, outcome.usage), NO_USAGE);
  const bucketsAlreadyApplied = buckets.filter(
    (outcome) => outcome.applied === 0 && outcome.overflow.length === 0,
  ).length;
  return {
    records,
    events: ledger.events.length - aggregate.rejected.length,
    duplicates: ledger.duplicates,
    poison: ledger.letters.length + ledger.refused,
    counterItems: aggregate.counterItems.length + outcomes.overflowItems,
    pageBuckets: aggregate.pageBuckets.length,
    overflowRecords: buckets.reduce((sum, outcome) => sum + outcome.overflow.length, 0),
    sessionSketches: aggregate.sessionSketches.length,
    itemsAlreadyApplied: counters.filter((outcome) => outcome.alreadyApplied).length + bucketsAlreadyApplied,
    watermarkConflicts: counters.reduce((sum, outcome) => sum + outcome.conflicts, 0),
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
 * not stall its partition), and a record whose write the sink refuses, in any kind of item
 * (apply-items.ts isolates it and dead-letters it at once). Only retriable (infrastructure) errors fail the batch. Aggregates
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
  const { deadLetters, logger, metrics } = dependencies;
  const ledger: BatchLedger = {
    events: [],
    letters: [],
    byCoordinates: new Map(),
    duplicates: 0,
    refused: 0,
  };
  const poison = poisonInto(ledger, logger);
  decodeRecords(records, ledger, poison, dependencies);
  const aggregate = aggregateEvents(
    ledger.events,
    dependencies.retentionDays,
    (dependencies.now ?? Date.now)(),
  );
  for (const { source, offset, error } of aggregate.rejected) {
    if (isRetriable(error)) throw error;
    const record = ledger.byCoordinates.get(`${source}@${offset}`);
    if (record !== undefined) poison(record, PROCESSING_FAILED, String(error));
  }
  const outcomes = await writeAggregate(aggregate, ledger, dependencies);
  await deadLetters.publish(ledger.letters);
  const summary = summarize(records.length, aggregate, ledger, outcomes);
  recordMetrics(metrics, summary);
  logger.info('batch aggregated', { ...summary });
  return summary;
};
