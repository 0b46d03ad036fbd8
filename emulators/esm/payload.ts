/**
 * The size side of the event source mapping's payload (the payload itself, its records and
 * its builder are in services/kafka/esm-event.ts): the 6 MB invocation quota and the exact
 * serialized size of an event as it is assembled.
 */
import {
  buildKafkaEvent,
  type EventSourceIdentity,
  type KafkaEventRecord,
} from '../../services/kafka/esm-event.ts';

/** The synchronous invocation payload quota: 6 MB (6,291,456 bytes). https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;

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
