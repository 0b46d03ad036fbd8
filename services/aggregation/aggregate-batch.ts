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
  const { store, deadLetters, logger, metrics } = dependencies;
  const events: SourcedEvent[] = [];
  const letters: DeadLetter[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  let refusedRecords = 0;
  const bounds = dependencies.eventTimeBounds ?? {
    maxPastMs: DEFAULT_MAX_PAST_MS,
    maxFutureMs: DEFAULT_MAX_FUTURE_MS,
  };
  const byCoordinates = new Map<string, SourceRecord>();
  const poison = (record: SourceRecord, reason: string, detail: string): void => {
    logger.warn('poison record; it goes to the dead-letter topic with this batch', {
      reason,
      detail,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
    });
    letters.push(deadLetterOf(record, reason, detail));
  };
  for (const record of records) {
    const source = sourceIdOf(record);
    const id = `${source}@${record.offset}`;
    if (seen.has(id)) {
      duplicates += 1;
      continue;
    }
    seen.add(id);
    byCoordinates.set(id, record);
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

  const aggregate = aggregateEvents(events, dependencies.retentionDays, (dependencies.now ?? Date.now)());
  for (const { source, offset, error } of aggregate.rejected) {
    if (isRetriable(error)) throw error;
    const record = byCoordinates.get(`${source}@${offset}`);
    if (record !== undefined) poison(record, PROCESSING_FAILED, String(error));
  }
  const maxAttempts = dependencies.maxConditionalAttempts ?? DEFAULT_MAX_CONDITIONAL_ATTEMPTS;
  const refuse: Refuse = async (source, offset, error) => {
    const record = byCoordinates.get(`${source}@${offset}`);
    if (record === undefined) throw error;
    const detail = `the sink refused its write: ${sinkMessageOf(error)}`;
    logger.warn('record refused by the sink; dead-lettered', { detail, source, offset });
    refusedRecords += 1;
    await deadLetters.publish([deadLetterOf(record, PROCESSING_FAILED, detail)]);
  };
  const applyAll = (drafts: readonly CounterItemDraft[]) =>
    runWithConcurrency<ItemOutcome>(
      drafts
        .flatMap(withinConditionLimit)
        .map((draft) => () => applyOrIsolate(draft, store, maxAttempts, refuse)),
      dependencies.writeConcurrency,
    );
  // Funnels, page buckets and sketches are independent. Pages a bucket does not admit go to
  // their own items second: a crash in between is repaired by the retry, whose bucket merge
  // routes the same records to the same page items again (page-bucket.ts).
  const [funnelOutcomes, bucketOutcomes, sketchOutcomes] = await Promise.all([
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
    overflowPageItems(bucket, bucketOutcomes[i]?.overflow ?? []),
  );
  const counterOutcomes = [...funnelOutcomes, ...(await applyAll(overflowDrafts))];
  await deadLetters.publish(letters);

  const merges = [...sketchOutcomes, ...bucketOutcomes];
  const usage = [...counterOutcomes, ...merges].reduce(
    (sum, outcome) => addUsage(sum, outcome.usage),
    NO_USAGE,
  );
  const bucketsAlreadyApplied = bucketOutcomes.filter(
    (outcome) => outcome.applied === 0 && outcome.overflow.length === 0,
  ).length;
  const summary: BatchSummary = {
    records: records.length,
    events: events.length - aggregate.rejected.length,
    duplicates,
    poison: letters.length + refusedRecords,
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
  metrics.addMetric('RecordsReceived', MetricUnit.Count, summary.records);
  metrics.addMetric('EventsAggregated', MetricUnit.Count, summary.events);
  metrics.addMetric('PoisonRecords', MetricUnit.Count, summary.poison);
  metrics.addMetric('DynamoDBWriteRequests', MetricUnit.Count, summary.writeRequests);
  metrics.addMetric('DynamoDBReadRequests', MetricUnit.Count, summary.readRequests);
  metrics.addMetric('DynamoDBWriteUnits', MetricUnit.Count, summary.writeUnits);
  metrics.addMetric('DynamoDBReadUnits', MetricUnit.Count, summary.readUnits);
  metrics.addMetric('WatermarkConflicts', MetricUnit.Count, summary.watermarkConflicts);
  logger.info('batch aggregated', { ...summary });
  return summary;
};
