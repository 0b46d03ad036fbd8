/**
 * The invocation payload of a Kafka event source mapping, byte for byte as Lambda builds it.
 *
 * Self-managed Kafka: `{ eventSource: "SelfManagedKafka", bootstrapServers, records }`
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html
 * Amazon MSK: `{ eventSource: "aws:kafka", eventSourceArn, bootstrapServers, records }`
 * https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html
 *
 * `records` is keyed by "topic-partition"; each record carries base64 `key` (omitted when
 * the record has none) and `value`, and headers as a list of one-entry objects whose value
 * is the header's bytes as an array of numbers.
 */

/** `timestampType` as Lambda names it. */
export const TimestampType = {
  CreateTime: 'CREATE_TIME',
  LogAppendTime: 'LOG_APPEND_TIME',
} as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

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

/** The synchronous invocation payload quota: 6 MB (6,291,456 bytes). https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** A consumed Kafka record, before it becomes part of an event. */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: TimestampType;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Headers in wire order; a name may repeat. */
  readonly headers: ReadonlyArray<readonly [string, Buffer]>;
}

/** The "topic-partition" key of `records`. */
export const partitionKey = (topic: string, partition: number): string => `${topic}-${partition}`;

/** Converts a consumed record to its event form. */
export const toEventRecord = (record: SourceRecord): KafkaEventRecord => ({
  topic: record.topic,
  partition: record.partition,
  offset: record.offset,
  timestamp: record.timestamp,
  timestampType: record.timestampType,
  ...(record.key === null ? {} : { key: record.key.toString('base64') }),
  ...(record.value === null ? {} : { value: record.value.toString('base64') }),
  headers: record.headers.map(([name, bytes]) => ({ [name]: [...bytes] })),
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

/** Serialized size, in bytes, of one record inside the event. */
export const eventRecordBytes = (record: KafkaEventRecord): number =>
  Buffer.byteLength(JSON.stringify(record));

/**
 * Exact serialized size of an event, computed from its parts so that a batch can be cut
 * before it crosses {@link MAX_INVOCATION_PAYLOAD_BYTES} without serializing it repeatedly.
 */
export class PayloadSize {
  #bytes: number;
  readonly #groups = new Map<string, number>();

  constructor(source: EventSourceIdentity) {
    // `{...,"records":{}}` with no group yet.
    this.#bytes = Buffer.byteLength(JSON.stringify(buildKafkaEvent(source, [])));
  }

  /** Bytes of the event as it stands. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes the event would have with one more record of `recordBytes` in group `key`. */
  with(key: string, recordBytes: number): number {
    const inGroup = this.#groups.get(key);
    if (inGroup !== undefined) return this.#bytes + 1 + recordBytes; // `,record`
    const comma = this.#groups.size > 0 ? 1 : 0;
    return this.#bytes + comma + Buffer.byteLength(JSON.stringify(key)) + 3 + recordBytes; // `"key":[record]`
  }

  /** Adds a record of `recordBytes` to group `key`. */
  add(key: string, recordBytes: number): void {
    this.#bytes = this.with(key, recordBytes);
    this.#groups.set(key, (this.#groups.get(key) ?? 0) + 1);
  }
}
