import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PROCESSING_FAILED } from '../commons/errors.ts';
import type { MetricsSink } from '../commons/metrics-sink.ts';
import { type DeadLetter, type DeadLetterPublisher, deadLetterOf } from '../dead-letter/index.ts';
import { type SourceRecord, sourceIdOf, UNREADABLE_RECORD } from '../kafka/record.ts';
import { isSinkRefusal, sinkMessageOf } from '../limits/index.ts';
import {
  PutOutcome,
  type SegmentStatsItem,
  SegmentStatsRowSchema,
  type SegmentStatsStore,
  segmentStatsItem,
} from './segment-stats.ts';

/** Why a segment-stats record was dead-lettered. */
export const SegmentStatsFailure = {
  ValueNotJson: 'SEGMENT_STATS_VALUE_NOT_JSON',
  ValueSchemaInvalid: 'SEGMENT_STATS_VALUE_SCHEMA_INVALID',
} as const;

/** What {@link writeSegmentStats} needs, passed in by the entry point. */
export interface SegmentStatsDependencies {
  readonly store: SegmentStatsStore;
  readonly deadLetters: DeadLetterPublisher;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  readonly metrics: MetricsSink;
  /** Days an item lives after its window ends (DynamoDB TTL). */
  readonly retentionDays: number;
  /** Writes in flight at once. */
  readonly writeConcurrency: number;
}

/** What a batch did. */
export interface SegmentStatsSummary {
  readonly records: number;
  /** Items written (the latest row of each item in the batch). */
  readonly written: number;
  /** Items the table already held at this offset or later (a redelivery). */
  readonly stale: number;
  /** Rows superseded by a later row of the same item within the batch: never written. */
  readonly superseded: number;
  /** Records dead-lettered: unreadable or invalid rows, and rows whose write the sink refused. */
  readonly poison: number;
}

const parseRow = (record: SourceRecord & { readonly value: Buffer }) => {
  let json: unknown;
  try {
    json = JSON.parse(record.value.toString('utf8'));
  } catch {
    return { ok: false, reason: SegmentStatsFailure.ValueNotJson, detail: 'the value is not JSON' } as const;
  }
  const parsed = SegmentStatsRowSchema.safeParse(json);
  if (parsed.success) return { ok: true, row: parsed.data } as const;
  const detail = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  return { ok: false, reason: SegmentStatsFailure.ValueSchemaInvalid, detail } as const;
};

/**
 * Writes a batch of segment-stats rows (ksqlDB, EMIT CHANGES) to the store: per item only
 * the batch's latest row, each write conditional on the source offset so that a retried
 * batch, or rows arriving out of order, never replace newer totals with older ones.
 *
 * @throws {SegmentStatsStoreError} when the store fails (retriable: the batch is retried).
 * @throws {DeadLetterPublishError} when poison rows could not be dead-lettered (retriable).
 */
export const writeSegmentStats = async (
  records: readonly SourceRecord[],
  dependencies: SegmentStatsDependencies,
): Promise<SegmentStatsSummary> => {
  const latest = new Map<string, { item: SegmentStatsItem; record: SourceRecord }>();
  const deadLetters: DeadLetter[] = [];
  let rows = 0;
  for (const record of records) {
    if (record.defect !== undefined) {
      deadLetters.push(deadLetterOf(record, UNREADABLE_RECORD, record.defect));
      continue;
    }
    // A windowed aggregation without HAVING deletes nothing; a tombstone has nothing to write.
    if (record.value === null) continue;
    const parsed = parseRow({ ...record, value: record.value });
    if (!parsed.ok) {
      deadLetters.push(deadLetterOf(record, parsed.reason, parsed.detail));
      continue;
    }
    rows += 1;
    const item = segmentStatsItem(
      parsed.row,
      { id: sourceIdOf(record), offset: record.offset },
      dependencies.retentionDays,
    );
    const key = `${item.pk}\n${item.sk}`;
    const previous = latest.get(key);
    if (previous === undefined || previous.item.sourceOffset < item.sourceOffset)
      latest.set(key, { item, record });
  }

  const items = [...latest.values()];
  const refused: DeadLetter[] = [];
  let written = 0;
  let stale = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let each = items[next++]; each !== undefined; each = items[next++]) {
      try {
        if ((await dependencies.store.put(each.item)) === PutOutcome.Written) written += 1;
        else stale += 1;
      } catch (error) {
        // Refused as sent (services/limits/sink-refusal.ts): no retry changes it, so the row
        // that made the item leaves the batch, and the item keeps its earlier totals.
        if (!isSinkRefusal(error)) throw error;
        const detail = `the sink refused its write: ${sinkMessageOf(error)}`;
        dependencies.logger.warn('row refused by the sink; dead-lettered', { detail, sk: each.item.sk });
        refused.push(deadLetterOf(each.record, PROCESSING_FAILED, detail));
      }
    }
  };
  await Promise.all([
    ...Array.from({ length: Math.min(dependencies.writeConcurrency, items.length) }, worker),
    dependencies.deadLetters.publish(deadLetters),
  ]);
  await dependencies.deadLetters.publish(refused);
  deadLetters.push(...refused);

  const summary: SegmentStatsSummary = {
    records: records.length,
    written,
    stale,
    superseded: rows - items.length,
    poison: deadLetters.length,
  };
  dependencies.metrics.addMetric('SegmentStatsWritten', MetricUnit.Count, written);
  dependencies.metrics.addMetric('SegmentStatsDeadLettered', MetricUnit.Count, deadLetters.length);
  dependencies.logger.info('segment stats written', { ...summary });
  return summary;
};
