import type { SourceRecord } from '../aggregation/index.ts';
import type { DeadLetter } from '../dead-letter/index.ts';

/** The dead letter of a record that can never be processed: its original bytes, and why. */
export const deadLetterOf = (record: SourceRecord, reason: string, detail: string): DeadLetter => ({
  reason,
  detail,
  source: {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
  },
  key: record.key,
  value: record.value,
  headers: record.headers,
});
