import { z } from 'zod';
import { KafkaEventError } from './errors.ts';
import {
  type SchemaMetadata,
  type SourceHeader,
  type SourceRecord,
  sourceIdOf,
  TimestampType,
} from './record.ts';

export type { SchemaMetadata } from './record.ts';

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
 * letter must carry the original bytes). Why not @aws-lambda-powertools/kafka's
 * `kafkaConsumer` (2.35.0), the path its docs recommend
 * (https://docs.aws.amazon.com/powertools/typescript/latest/features/kafka), shown case by
 * case in test/unit/kafka/powertools-kafka.test.ts: its JSON deserializer returns malformed
 * JSON as text, without an error, so MALFORMED_JSON and SCHEMA_INVALID (services/clickstream)
 * become one reason, and it writes the poison value to the log with console.error; it
 * decodes keys, headers and (unconfigured) values to UTF-8 text, which loses the bytes a
 * dead letter carries and an Avro SOURCE value's binary; it keeps lone surrogates; and it
 * checks no record field, so a malformed record reaches the service unflagged instead of
 * with its `defect`. What remains, a loop over `records` and
 * base64, is what this file does anyway. `valueSchemaMetadata` (schema registry) is kept on
 * the record; other unknown fields are accepted and ignored.
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
  keySchemaMetadata?: SchemaMetadata;
  valueSchemaMetadata?: SchemaMetadata;
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

/**
 * Standard base64 (RFC 4648 section 4) as the mapping encodes keys and values: whole 4-character
 * groups, `=` padding only at the end.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The fields of a delivered record that say where it is; enough to dead-letter it. */
const RecordCoordinatesSchema = z.object({
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
});

const KafkaEventRecordSchema = RecordCoordinatesSchema.extend({
  timestamp: z.number().int(),
  timestampType: z.enum([
    TimestampType.CreateTime,
    TimestampType.LogAppendTime,
    TimestampType.NoTimestampType,
  ]),
  key: z.string().nullish(),
  value: z.string().nullish(),
  headers: z.array(z.record(z.string(), z.array(z.number()))).nullish(),
  valueSchemaMetadata: z
    .object({ dataFormat: z.enum(['AVRO', 'PROTOBUF', 'JSON']), schemaId: z.string() })
    .nullish(),
});

// Records are read one by one (below), so that one malformed record is one dead letter, not a
// rejected event that the mapping would retry forever.
const records = z.record(z.string(), z.array(z.unknown()));

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

/** The bytes of a base64 field, or why it has none. */
const base64Field = (
  name: string,
  value: string | null | undefined,
): { bytes: Buffer | null; defect?: string } => {
  if (value === null || value === undefined) return { bytes: null };
  if (!BASE64.test(value))
    return { bytes: Buffer.from(value, 'utf8'), defect: `${name} is not valid base64` };
  return { bytes: Buffer.from(value, 'base64') };
};

const headersOf = (
  headers: readonly Record<string, readonly number[]>[] | null | undefined,
): { headers: SourceHeader[]; defect?: string } => {
  const out: SourceHeader[] = [];
  for (const header of headers ?? []) {
    for (const [name, bytes] of Object.entries(header)) {
      if (!bytes.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)) {
        return { headers: [], defect: `header ${JSON.stringify(name)} has a value that is not bytes` };
      }
      out.push({ name, value: Buffer.from(bytes) });
    }
  }
  return { headers: out };
};

/** One delivered record as a {@link SourceRecord}; a malformed one carries its `defect`. */
const readRecord = (raw: unknown, groupKey: string): SourceRecord | undefined => {
  const parsed = KafkaEventRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const coordinates = RecordCoordinatesSchema.safeParse(raw);
    if (!coordinates.success) return undefined;
    return {
      ...coordinates.data,
      timestamp: -1,
      timestampType: TimestampType.NoTimestampType,
      key: null,
      value: Buffer.from(JSON.stringify(raw) ?? '', 'utf8'),
      headers: [],
      defect: `malformed record in ${groupKey}: ${z.prettifyError(parsed.error)}`,
    };
  }
  const record = parsed.data;
  const key = base64Field('key', record.key);
  const value = base64Field('value', record.value);
  const headers = headersOf(record.headers);
  const defect = key.defect ?? value.defect ?? headers.defect;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    key: key.bytes,
    value: value.bytes,
    headers: headers.headers,
    ...(record.valueSchemaMetadata == null ? {} : { valueSchemaMetadata: record.valueSchemaMetadata }),
    ...(defect === undefined ? {} : { defect }),
  };
};

/**
 * Validates a Kafka event source mapping payload and flattens it into records, in payload
 * order (which keeps each partition's offset order), key and value as raw bytes. Total per
 * record: a record whose fields are malformed comes back with a `defect` (the service
 * dead-letters it); only a payload that is not a Kafka event at all, or a record without
 * coordinates to dead-letter it by, fails the whole batch.
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
  const out: SourceRecord[] = [];
  for (const [groupKey, batch] of Object.entries(parsed.data.records)) {
    for (const raw of batch) {
      const record = readRecord(raw, groupKey);
      if (record === undefined) {
        throw new KafkaEventError(
          `a record in ${groupKey} has no topic, partition and offset to dead-letter it by`,
        );
      }
      out.push(record);
    }
  }
  return out;
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
