import { z } from 'zod';
import { KafkaEventError } from './errors.ts';
import { type SourceHeader, type SourceRecord, sourceIdOf, type TimestampType } from './record.ts';

/*
 * The invocation payload of a Kafka event source mapping, in one place for the ESM emulator
 * (which builds it), the functions (which parse it) and the tests.
 *
 * Self-managed Kafka: `{ eventSource: "SelfManagedKafka", bootstrapServers, records }`
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html ("Example event")
 * Amazon MSK: `{ eventSource: "aws:kafka", eventSourceArn, bootstrapServers, records }`
 * https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html ("Example event")
 *
 * `records` is keyed by "topic-partition"; each record carries base64 `key` (omitted when
 * the record has none) and `value`, and headers as a list of one-entry objects whose value
 * is the header's bytes as an array of numbers.
 *
 * Why not @aws-lambda-powertools/parser's KafkaMskEventSchema: it requires `value` (a
 * tombstone would fail the whole batch, forever) and decodes values to strings (a dead
 * letter must carry the original bytes). Why not @aws-lambda-powertools/kafka's consumer:
 * its JSON deserializer turns malformed JSON into a string instead of an error, so the
 * poison reasons of services/clickstream could not be told apart. Unknown fields (schema
 * registry metadata) are accepted and ignored.
 */

/** One record in the event. */
export interface KafkaEventRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: TimestampType;
  key?: string;
  value?: string;
  headers: Array<Record<string, number[]>>;
}

/** The event a Kafka-triggered function receives. */
export type KafkaEvent =
  | {
      eventSource: 'SelfManagedKafka';
      bootstrapServers: string;
      records: Record<string, KafkaEventRecord[]>;
    }
  | {
      eventSource: 'aws:kafka';
      eventSourceArn: string;
      bootstrapServers: string;
      records: Record<string, KafkaEventRecord[]>;
    };

/** Where the event says it came from. */
export type EventSourceIdentity =
  | { readonly eventSource: 'SelfManagedKafka'; readonly bootstrapServers: string }
  | { readonly eventSource: 'aws:kafka'; readonly eventSourceArn: string; readonly bootstrapServers: string };

/** Converts a consumed record to its event form. */
export const toEventRecord = (record: SourceRecord): KafkaEventRecord => ({
  topic: record.topic,
  partition: record.partition,
  offset: record.offset,
  timestamp: record.timestamp,
  timestampType: record.timestampType,
  ...(record.key === null ? {} : { key: record.key.toString('base64') }),
  ...(record.value === null ? {} : { value: record.value.toString('base64') }),
  headers: record.headers.map((header) => ({ [header.name]: [...header.value] })),
});

/** Builds the event for records already grouped in delivery order. */
export const buildKafkaEvent = (
  source: EventSourceIdentity,
  groups: ReadonlyArray<{ readonly key: string; readonly records: readonly KafkaEventRecord[] }>,
): KafkaEvent => {
  const records: Record<string, KafkaEventRecord[]> = {};
  for (const group of groups) records[group.key] = [...group.records];
  return source.eventSource === 'aws:kafka'
    ? {
        eventSource: 'aws:kafka',
        eventSourceArn: source.eventSourceArn,
        bootstrapServers: source.bootstrapServers,
        records,
      }
    : { eventSource: 'SelfManagedKafka', bootstrapServers: source.bootstrapServers, records };
};

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

const KafkaEventRecordSchema = z.object({
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  timestamp: z.number().int(),
  timestampType: z.enum(['CREATE_TIME', 'LOG_APPEND_TIME']),
  key: Base64.nullish(),
  value: Base64.nullish(),
  headers: z.array(z.record(z.string(), z.array(z.number().int().min(0).max(255)))).nullish(),
});

const records = z.record(z.string(), z.array(KafkaEventRecordSchema));

/** An Amazon MSK event (`eventSource: aws:kafka`). */
export const MskEventSchema = z.object({
  eventSource: z.literal('aws:kafka'),
  eventSourceArn: z.string(),
  bootstrapServers: z.string().optional(),
  records,
});

/** A self-managed Apache Kafka event (`eventSource: SelfManagedKafka`). */
export const SelfManagedKafkaEventSchema = z.object({
  eventSource: z.literal('SelfManagedKafka'),
  bootstrapServers: z.string().optional(),
  records,
});

/** Either Kafka event shape the event source mapping sends. */
export const KafkaEventSchema = z.discriminatedUnion('eventSource', [
  MskEventSchema,
  SelfManagedKafkaEventSchema,
]);

const decodeBase64 = (value: string | null | undefined): Buffer | null =>
  value === null || value === undefined ? null : Buffer.from(value, 'base64');

/**
 * Validates a Kafka event source mapping payload and flattens it into records, in payload
 * order (which keeps each partition's offset order), key and value as raw bytes.
 *
 * @throws {KafkaEventError} when the payload is not a Kafka event at all.
 */
export const sourceRecordsOf = (event: unknown): SourceRecord[] => {
  const parsed = KafkaEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new KafkaEventError(`not a Kafka event source mapping event: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return Object.values(parsed.data.records).flatMap((batch) =>
    batch.map(
      (record): SourceRecord => ({
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        timestamp: record.timestamp,
        timestampType: record.timestampType,
        key: decodeBase64(record.key),
        value: decodeBase64(record.value),
        headers: (record.headers ?? []).flatMap((header) =>
          Object.entries(header).map(([name, bytes]): SourceHeader => ({ name, value: Buffer.from(bytes) })),
        ),
      }),
    ),
  );
};

/** The event for `records`, grouped by topic-partition in the order given. */
export const kafkaEventOf = (source: EventSourceIdentity, records: readonly SourceRecord[]): KafkaEvent => {
  const groups = new Map<string, KafkaEventRecord[]>();
  for (const record of records) {
    const key = sourceIdOf(record);
    groups.set(key, [...(groups.get(key) ?? []), toEventRecord(record)]);
  }
  return buildKafkaEvent(
    source,
    [...groups].map(([key, grouped]) => ({ key, records: grouped })),
  );
};
