import type { Message } from 'kafkajs';
import { KafkaLimits, sha256Hex, utf8Bytes } from '../limits/index.ts';
import { type DeadLetter, DeadLetterHeader, deadLetterHeaders } from './dead-letter.ts';

/**
 * A dead letter that always fits its topic. The reason, the detail (cut to
 * MAX_DETAIL_CHARS) and the coordinates always travel; then the original key, headers and
 * value, each whole while the record stays within `maxRecordBytes`, else cut: a value to an
 * excerpt of its first bytes, a key likewise, original headers dropped from the last. What
 * was cut is said in headers: the original length and SHA-256 of a cut key or value, and how
 * many original headers were dropped, so the record can still be found and checked at its
 * source (the source topic keeps it for its retention).
 */

/** Headers that say what a bounded dead letter left out. */
export const DeadLetterCutHeader = {
  ValueBytes: 'dlq-value-bytes',
  ValueSha256: 'dlq-value-sha256',
  KeyBytes: 'dlq-key-bytes',
  KeySha256: 'dlq-key-sha256',
  HeadersDropped: 'dlq-headers-dropped',
} as const;

/** Room kept for the cut headers themselves (names, a 64-character digest, a length each). */
const CUT_HEADERS_ROOM = 2 * (64 + 16 + 2 * KafkaLimits.headerOverheadBytes + 16) + 64;

/** The bytes of a record as Kafka frames it, at most (v2 record format, no compression). */
export const recordBytes = (message: Message): number => {
  let bytes = KafkaLimits.recordOverheadBytes + lengthOf(message.key) + lengthOf(message.value);
  for (const [name, values] of Object.entries(message.headers ?? {})) {
    for (const value of [values].flat()) {
      bytes += KafkaLimits.headerOverheadBytes + utf8Bytes(name) + lengthOf(value ?? null);
    }
  }
  return bytes;
};

const lengthOf = (data: Buffer | string | null | undefined): number =>
  data === null || data === undefined ? 0 : typeof data === 'string' ? utf8Bytes(data) : data.length;

const headerBytes = (name: string, values: readonly Buffer[]): number =>
  values.reduce((sum, value) => sum + KafkaLimits.headerOverheadBytes + utf8Bytes(name) + value.length, 0);

/**
 * The Kafka message of a dead letter, at most `maxRecordBytes` as {@link recordBytes} counts
 * it. `maxRecordBytes` must leave room for the dead letter's own headers (a few KB at most).
 */
export const boundedDeadLetterMessage = (letter: DeadLetter, maxRecordBytes: number): Message => {
  const all = deadLetterHeaders(letter);
  const own = new Set<string>(Object.values(DeadLetterHeader));
  const headers: Record<string, Buffer[]> = {};
  let used = KafkaLimits.recordOverheadBytes + CUT_HEADERS_ROOM;
  for (const name of own) {
    const values = all[name] ?? [];
    headers[name] = values;
    used += headerBytes(name, values);
  }
  if (used > maxRecordBytes) {
    throw new RangeError(`a dead letter needs at least ${used} bytes; the topic allows ${maxRecordBytes}`);
  }
  const cut: Record<string, string> = {};
  // The key is kept first (it routes the letter to the source record's partition order), up
  // to a quarter of the room; then original headers, up to another quarter; the value last.
  const key = excerpt(letter.key, Math.floor((maxRecordBytes - used) / 4));
  if (key.cut) Object.assign(cut, cutHeaders('key', letter.key));
  used += lengthOf(key.bytes);
  const headerRoom = used + Math.floor((maxRecordBytes - used) / 4);
  let dropped = 0;
  for (const [name, values] of Object.entries(all)) {
    if (own.has(name)) continue;
    const size = headerBytes(name, values);
    if (used + size > headerRoom) {
      dropped += values.length;
      continue;
    }
    headers[name] = values;
    used += size;
  }
  if (dropped > 0) cut[DeadLetterCutHeader.HeadersDropped] = String(dropped);
  const value = excerpt(letter.value, maxRecordBytes - used);
  if (value.cut) Object.assign(cut, cutHeaders('value', letter.value));
  for (const [name, text] of Object.entries(cut)) headers[name] = [Buffer.from(text, 'utf8')];
  return { key: key.bytes, value: value.bytes, headers };
};

const excerpt = (data: Buffer | null, room: number): { bytes: Buffer | null; cut: boolean } =>
  data === null || data.length <= room
    ? { bytes: data, cut: false }
    : { bytes: data.subarray(0, Math.max(0, room)), cut: true };

const cutHeaders = (part: 'key' | 'value', data: Buffer | null): Record<string, string> => {
  const bytes = data ?? Buffer.alloc(0);
  return part === 'key'
    ? {
        [DeadLetterCutHeader.KeyBytes]: String(bytes.length),
        [DeadLetterCutHeader.KeySha256]: sha256Hex(bytes),
      }
    : {
        [DeadLetterCutHeader.ValueBytes]: String(bytes.length),
        [DeadLetterCutHeader.ValueSha256]: sha256Hex(bytes),
      };
};
