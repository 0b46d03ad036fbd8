import { z } from 'zod';
import type { SourceHeader, SourceRecord } from '../../services/aggregation/index.ts';
import { KafkaEventError } from './errors.ts';

/*
 * The payload the Lambda event source mapping sends for Kafka, as documented for Amazon MSK
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html, "Example event") and for
 * self-managed Apache Kafka (https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html,
 * "Example event"): records grouped under "<topic>-<partition>", key and value base64, the
 * key absent when the record has none, headers as arrays of byte values.
 *
 * Why not @aws-lambda-powertools/parser's KafkaMskEventSchema: it requires `value` (a
 * tombstone would fail the whole batch, forever) and decodes values to strings (a dead
 * letter must carry the original bytes). Why not @aws-lambda-powertools/kafka's consumer:
 * its JSON deserializer turns malformed JSON into a string instead of an error, so the
 * poison reasons of services/clickstream could not be told apart. Unknown fields (schema
 * registry metadata) are accepted and ignored.
 */

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
export type KafkaEvent = z.infer<typeof KafkaEventSchema>;

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
