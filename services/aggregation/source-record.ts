/** A Kafka record header as delivered: a name and its raw bytes (names may repeat). */
export interface SourceHeader {
  readonly name: string;
  readonly value: Buffer;
}

/**
 * One Kafka record as the aggregation sees it, independent of how it was delivered (the
 * Lambda event source mapping payload, or a kafkajs consumer in a server-based runtime).
 * Key and value are the original bytes, so a poison record can be dead-lettered unchanged.
 */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly SourceHeader[];
}

/**
 * Identifies a topic-partition as `<topic>-<partition>`, the same spelling the event
 * source mapping uses for the keys of its `records` object.
 */
export type SourceId = string;

/** The {@link SourceId} of a record's topic-partition. */
export const sourceIdOf = (record: Pick<SourceRecord, 'topic' | 'partition'>): SourceId =>
  `${record.topic}-${record.partition}`;
