/**
 * A record that can never be processed (a poison record), with why and where it came from.
 * The key and value are the original bytes, unchanged.
 */
export interface DeadLetter {
  /** A stable, machine-readable reason, e.g. `SCHEMA_INVALID`. */
  readonly reason: string;
  /** What exactly was wrong, for a human. */
  readonly detail: string;
  readonly source: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    /** Epoch milliseconds. */
    readonly timestamp: number;
    readonly timestampType: string;
  };
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The original record headers, carried over. */
  readonly headers: readonly { readonly name: string; readonly value: Buffer }[];
}

/** A consumed record as much as a dead letter needs of it: where it came from and its bytes. */
export type DeadLetterSource = DeadLetter['source'] & Pick<DeadLetter, 'key' | 'value' | 'headers'>;

/** The dead letter of a record that can never be processed: its original bytes, and why. */
export const deadLetterOf = (record: DeadLetterSource, reason: string, detail: string): DeadLetter => ({
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

/**
 * The headers a dead letter carries on the dead-letter topic. Delivery to that topic is
 * at least once (a batch retried after its dead letters were written writes them again),
 * so a consumer that counts dead letters deduplicates on source topic + partition + offset.
 */
export const DeadLetterHeader = {
  Reason: 'dlq-reason',
  Detail: 'dlq-detail',
  SourceTopic: 'dlq-source-topic',
  SourcePartition: 'dlq-source-partition',
  SourceOffset: 'dlq-source-offset',
  SourceTimestamp: 'dlq-source-timestamp',
  SourceTimestampType: 'dlq-source-timestamp-type',
} as const;
export type DeadLetterHeader = (typeof DeadLetterHeader)[keyof typeof DeadLetterHeader];

/**
 * The coordinates a dead letter names, `topic/partition/offset`, from its headers as a topic
 * reader returns them: the key a consumer that counts dead letters deduplicates on.
 */
export const deadLetterSourceKey = (headers: Readonly<Record<string, string | undefined>>): string =>
  `${headers[DeadLetterHeader.SourceTopic]}/${headers[DeadLetterHeader.SourcePartition]}/${headers[DeadLetterHeader.SourceOffset]}`;

/** Header values longer than this are cut: a detail is for a human, not a payload. */
export const MAX_DETAIL_CHARS = 1024;

/**
 * The headers of a dead letter as name → values: the original headers first (a name may
 * repeat), then the dead-letter headers, which win over an original of the same name.
 */
export const deadLetterHeaders = (letter: DeadLetter): Record<string, Buffer[]> => {
  const headers: Record<string, Buffer[]> = {};
  for (const { name, value } of letter.headers) {
    const values = headers[name] ?? [];
    values.push(value);
    headers[name] = values;
  }
  const detail =
    letter.detail.length > MAX_DETAIL_CHARS
      ? `${letter.detail.slice(0, MAX_DETAIL_CHARS - 1)}…`
      : letter.detail;
  const own: Record<DeadLetterHeader, string> = {
    [DeadLetterHeader.Reason]: letter.reason,
    [DeadLetterHeader.Detail]: detail,
    [DeadLetterHeader.SourceTopic]: letter.source.topic,
    [DeadLetterHeader.SourcePartition]: String(letter.source.partition),
    [DeadLetterHeader.SourceOffset]: String(letter.source.offset),
    [DeadLetterHeader.SourceTimestamp]: String(letter.source.timestamp),
    [DeadLetterHeader.SourceTimestampType]: letter.source.timestampType,
  };
  for (const [name, value] of Object.entries(own)) headers[name] = [Buffer.from(value, 'utf8')];
  return headers;
};
