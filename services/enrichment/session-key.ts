import { SessionDecodeError, SessionDecodeFailure } from './errors.ts';

/**
 * The key of a ksqlDB SESSION-windowed table row, as written to its output topic.
 *
 * ksqlDB serialises windowed keys with Kafka Streams' session-windowed serde, whose layout
 * is `SessionKeySchema.toBinary` (apache/kafka, streams/.../state/internals/SessionKeySchema.java):
 * the inner key bytes, then the window END as an 8-byte big-endian long, then the window
 * START as an 8-byte big-endian long. With `KEY_FORMAT='KAFKA'` and a STRING key column
 * (`GROUP BY userId`) the inner key bytes are the user id in UTF-8. Session window bounds
 * are the event times of the session's first and last record, both inclusive.
 */
export interface SessionKey {
  readonly userId: string;
  /** Epoch milliseconds of the session's first event. */
  readonly windowStart: number;
  /** Epoch milliseconds of the session's last event. */
  readonly windowEnd: number;
}

const TIMESTAMP_BYTES = 8;
const WINDOW_SUFFIX_BYTES = 2 * TIMESTAMP_BYTES;

const utf8 = new TextDecoder('utf-8', { fatal: true });

const readEpochMillis = (bytes: Buffer, offset: number): number => {
  const value = bytes.readBigInt64BE(offset);
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) return Number.NaN;
  return Number(value);
};

/**
 * Decodes a session-windowed key.
 *
 * @throws {SessionDecodeError} when the bytes cannot be such a key.
 */
export const decodeSessionKey = (bytes: Buffer): SessionKey => {
  if (bytes.length <= WINDOW_SUFFIX_BYTES) {
    throw new SessionDecodeError(
      SessionDecodeFailure.KeyTooShort,
      `a session key needs a user id and a ${WINDOW_SUFFIX_BYTES}-byte window suffix; got ${bytes.length} bytes`,
    );
  }
  const innerLength = bytes.length - WINDOW_SUFFIX_BYTES;
  let userId: string;
  try {
    userId = utf8.decode(bytes.subarray(0, innerLength));
  } catch (error) {
    throw new SessionDecodeError(SessionDecodeFailure.KeyNotUtf8, 'the user id in the key is not UTF-8', {
      cause: error,
    });
  }
  const windowEnd = readEpochMillis(bytes, innerLength);
  const windowStart = readEpochMillis(bytes, innerLength + TIMESTAMP_BYTES);
  if (Number.isNaN(windowStart) || Number.isNaN(windowEnd) || windowEnd < windowStart) {
    throw new SessionDecodeError(
      SessionDecodeFailure.WindowInvalid,
      `the key's window is not a session window: start ${String(bytes.readBigInt64BE(innerLength + TIMESTAMP_BYTES))}, end ${String(bytes.readBigInt64BE(innerLength))}`,
    );
  }
  return { userId, windowStart, windowEnd };
};

/** Encodes a session-windowed key the way ksqlDB does (the inverse of {@link decodeSessionKey}). */
export const encodeSessionKey = (key: SessionKey): Buffer => {
  const inner = Buffer.from(key.userId, 'utf8');
  const bytes = Buffer.alloc(inner.length + WINDOW_SUFFIX_BYTES);
  inner.copy(bytes, 0);
  bytes.writeBigInt64BE(BigInt(key.windowEnd), inner.length);
  bytes.writeBigInt64BE(BigInt(key.windowStart), inner.length + TIMESTAMP_BYTES);
  return bytes;
};
