import type { KafkaMessage } from 'kafkajs';

/** A Kafka record header as delivered: a name and its raw bytes (names may repeat). */
export interface SourceHeader {
  readonly name: string;
  readonly value: Buffer;
}

/** `timestampType` as the event source mapping names it. */
export const TimestampType = {
  CreateTime: 'CREATE_TIME',
  LogAppendTime: 'LOG_APPEND_TIME',
  /**
   * Kafka's third TimestampType: a record written with message format v0 (no timestamp;
   * `timestamp` is -1). org.apache.kafka.common.record.TimestampType, NO_TIMESTAMP_TYPE.
   */
  NoTimestampType: 'NO_TIMESTAMP_TYPE',
} as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/**
 * The project's one Kafka record: what the ESM emulator consumes and delivers, what the
 * functions decode from an event, what the services process — independent of how it was
 * delivered (an event source mapping payload, or a kafkajs consumer in a server runtime).
 * Key and value are the original bytes, so a poison record can be dead-lettered unchanged.
 */
/**
 * What a mapping with a schema registry adds to a record
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-consume-kafka-events.html): the
 * format the producer wrote and the id of its writer schema.
 */
export interface SchemaMetadata {
  readonly dataFormat: 'AVRO' | 'PROTOBUF' | 'JSON';
  readonly schemaId: string;
}

export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly timestampType: TimestampType;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Headers in wire order. */
  readonly headers: readonly SourceHeader[];
  /** Set by a mapping with a schema registry that validated the value. */
  readonly valueSchemaMetadata?: SchemaMetadata;
  /**
   * Set when the delivered record could not be read as Kafka bytes (a field of the event
   * source mapping payload that is malformed: invalid base64, a header byte out of range).
   * Such a record is never processed: the service dead-letters it with this reason's detail,
   * as its own poison, and the batch goes on.
   */
  readonly defect?: string;
}

/**
 * A record as a topic stores it, read back whole from the topic's start (the demo's checks, the
 * workshop tools, tests: services/kafka/topic-reader.ts). Offsets stay exact (`bigint`).
 */
export interface StoredRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The record's timestamp (ms since the epoch, as text, as Kafka clients give it). */
  readonly timestamp: string;
  /** Header values as UTF-8 text; a repeated name keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A record a stream processor (the embedded ksql engine) reads or writes: the bytes, the topic
 * and the event time, without a position (an output has none until the broker assigns it).
 */
export interface StreamRecord {
  readonly topic: string;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly timestamp: number;
  /**
   * Partition the record was read from; absent means 0 (one partition, as ksqlDB's test driver
   * feeds its inputs). Records the engine produces carry none.
   */
  readonly partition?: number;
}

/** The dead-letter reason of a record with a {@link SourceRecord.defect}. */
export const UNREADABLE_RECORD = 'UNREADABLE_RECORD';

/** Whether the record has a timestamp to measure its event time against. */
export const hasTimestamp = (record: Pick<SourceRecord, 'timestamp' | 'timestampType'>): boolean =>
  record.timestampType !== TimestampType.NoTimestampType && record.timestamp >= 0;

/**
 * Identifies a topic-partition as `<topic>-<partition>`, the same spelling the event
 * source mapping uses for the keys of its `records` object.
 */
export type SourceId = string;

/** The {@link SourceId} of a topic-partition. */
export const sourceId = (topic: string, partition: number): SourceId => `${topic}-${partition}`;

/** The {@link SourceId} of a record's topic-partition. */
export const sourceIdOf = (record: Pick<SourceRecord, 'topic' | 'partition'>): SourceId =>
  sourceId(record.topic, record.partition);

const timestampTypeOf = (message: KafkaMessage): TimestampType => {
  // kafkajs keeps the record batch's timestamp type (attributes bit 3) in `batchContext`.
  const context: unknown = Reflect.get(message, 'batchContext');
  const type: unknown =
    typeof context === 'object' && context !== null ? Reflect.get(context, 'timestampType') : 0;
  return type === 1 ? TimestampType.LogAppendTime : TimestampType.CreateTime;
};

const headersOf = (message: KafkaMessage): SourceHeader[] => {
  const headers: SourceHeader[] = [];
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (value === undefined) continue;
      headers.push({ name, value: Buffer.isBuffer(value) ? value : Buffer.from(String(value)) });
    }
  }
  return headers;
};

/** The record a kafkajs consumer fetched (the kafkajs adapter of {@link SourceRecord}). */
export const sourceRecordOfMessage = (
  topic: string,
  partition: number,
  message: KafkaMessage,
): SourceRecord => ({
  topic,
  partition,
  offset: Number(message.offset),
  timestamp: Number(message.timestamp),
  timestampType: timestampTypeOf(message),
  key: message.key ?? null,
  value: message.value ?? null,
  headers: headersOf(message),
});
