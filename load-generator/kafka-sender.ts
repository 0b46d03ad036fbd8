import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import type { BadRecordKind, RecordKind } from './bad-records.ts';
import type { ValueEncoder } from './value-format.ts';

/**
 * A record ready to send: a kafkajs message as it is (so no copy is made per record)
 * plus what kind of record it is, for the counts.
 */
export interface OutgoingRecord extends Message {
  key: string;
  value: Buffer;
  /** Epoch milliseconds as a decimal string, as Kafka clients take it. */
  timestamp: string;
  kind: RecordKind;
}

/** Running totals of a send. `sent = acked + errors + in flight`. */
export interface SendStats {
  /** Records handed to the producer. */
  sent: number;
  /** Records the cluster acknowledged with acks=all: they are in Kafka. */
  acked: number;
  /** Acknowledged valid events. */
  valid: number;
  /** Acknowledged bad records, by kind. */
  bad: Record<BadRecordKind, number>;
  /** Records whose send failed after the producer's retries (not in Kafka, as far as we know). */
  errors: number;
  /** Acknowledged value bytes. */
  bytes: number;
}

export interface BatchSenderOptions {
  topic: string;
  /** `none` (default) or `gzip`: kafkajs ships no other codec without plugins. */
  compression?: 'none' | 'gzip';
  /** Re-encodes each value before it is sent (e.g. Avro); values go as generated otherwise. */
  encode?: ValueEncoder;
  /** Called when a batch fails (the records are counted as errors). */
  onError?: (error: unknown, records: number) => void;
}

/**
 * Sends batches of records with one `producer.send` in flight at a time, so the caller can
 * build the next batch while the cluster acknowledges this one.
 *
 * One in-flight send is what keeps an idempotent kafkajs producer safe: it assigns sequence
 * numbers when it builds a request and rolls them back on failure, which concurrent sends
 * to one partition would interleave. The batch itself spans every partition (kafkajs sends
 * one produce request per broker), so one in flight still keeps every partition busy.
 */
export class BatchSender {
  readonly stats: SendStats = {
    sent: 0,
    acked: 0,
    valid: 0,
    bad: { malformedJson: 0, schemaInvalid: 0, oversized: 0 },
    errors: 0,
    bytes: 0,
  };
  #inFlight: Promise<void> = Promise.resolve();
  readonly #compression: CompressionTypes;

  constructor(
    private readonly producer: Producer,
    private readonly options: BatchSenderOptions,
  ) {
    this.#compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  /**
   * Waits for the previous batch to settle, then starts sending this one and returns
   * without waiting for its acknowledgement.
   */
  async send(records: readonly OutgoingRecord[]): Promise<void> {
    await this.#inFlight;
    if (records.length === 0) return;
    const encode = this.options.encode;
    if (encode !== undefined)
      for (const record of records as OutgoingRecord[]) record.value = encode(record.value, record.kind);
    // kafkajs reads key, value and timestamp and ignores `kind`.
    const messages: Message[] = records as OutgoingRecord[];
    this.stats.sent += records.length;
    this.#inFlight = this.producer
      .send({ topic: this.options.topic, messages, acks: -1, compression: this.#compression })
      .then(
        () => this.#acked(records),
        (error: unknown) => {
          this.stats.errors += records.length;
          this.options.onError?.(error, records.length);
        },
      );
  }

  /** Resolves once every batch handed over has been acknowledged or has failed. */
  flush(): Promise<void> {
    return this.#inFlight;
  }

  #acked(records: readonly OutgoingRecord[]): void {
    const stats = this.stats;
    stats.acked += records.length;
    for (const record of records) {
      stats.bytes += record.value.length;
      if (record.kind === 'valid') stats.valid++;
      else stats.bad[record.kind]++;
    }
  }
}
