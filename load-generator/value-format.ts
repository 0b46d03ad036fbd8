/**
 * How the load generator writes a record's value: `json` (UTF-8 JSON, the default) or `avro`
 * (the event as Avro binary in the Confluent wire format, its schema registered under
 * `<topic>-value`, Confluent's default TopicNameStrategy:
 * https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#subject-name-strategy).
 */
import {
  CLICKSTREAM_EVENT_AVRO_SCHEMA,
  ClickstreamEventSchema,
  encodeEventAvro,
} from '../services/clickstream/event-avro.ts';
import type { SchemaRegistryClient } from '../services/schema-registry/client.ts';
import { frame } from '../services/schema-registry/wire-format.ts';
import type { RecordKind } from './bad-records.ts';

export const ValueFormat = { Json: 'json', Avro: 'avro' } as const;
export type ValueFormat = (typeof ValueFormat)[keyof typeof ValueFormat];

/** Turns a generated value (JSON text as bytes) into the bytes to produce. */
export type ValueEncoder = (value: Buffer, kind: RecordKind) => Buffer;

/** The subject a topic's value schema is registered under (TopicNameStrategy). */
export const valueSubject = (topic: string): string => `${topic}-value`;

/**
 * Avro in the wire format for valid events. A deliberately bad record (--bad-rate) has no Avro
 * form: it is sent as it was generated, unframed, so that the consumer's schema validation
 * rejects it, as a record from a producer that skipped the registry would be.
 */
export const avroValueEncoder =
  (schemaId: number): ValueEncoder =>
  (value, kind) => {
    if (kind !== 'valid') return value;
    const event = ClickstreamEventSchema.parse(JSON.parse(value.toString('utf8')));
    return frame(schemaId, encodeEventAvro(event));
  };

/** Registers the event's Avro schema for `topic` and returns the encoder that uses its id. */
export const registerAvroEncoder = async (
  registry: SchemaRegistryClient,
  topic: string,
): Promise<{ schemaId: number; encode: ValueEncoder }> => {
  const schemaId = await registry.register(valueSubject(topic), CLICKSTREAM_EVENT_AVRO_SCHEMA);
  return { schemaId, encode: avroValueEncoder(schemaId) };
};
