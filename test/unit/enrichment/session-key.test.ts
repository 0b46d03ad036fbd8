import { describe, expect, it } from 'vitest';
import { windowedKeyBytes } from '../../../emulators/ksql/serde.ts';
import {
  decodeSessionKey,
  encodeSessionKey,
  SessionDecodeError,
  SessionDecodeFailure,
} from '../../../services/enrichment/index.ts';

const decodeFailure = (bytes: Buffer): string => {
  try {
    decodeSessionKey(bytes);
  } catch (error) {
    if (error instanceof SessionDecodeError) return error.reason;
    throw error;
  }
  throw new Error('expected the key to be rejected');
};

describe('decodeSessionKey', () => {
  it('reads the user id, then the window end, then the window start (big-endian longs)', () => {
    // Prepare: "u1" + end 0x0000019ABCDEF012 + start 0x0000019ABCDE0000, written by hand.
    const bytes = Buffer.from('7531' + '0000019abcdef012' + '0000019abcde0000', 'hex');

    // Act
    const key = decodeSessionKey(bytes);

    // Assert
    expect(key).toEqual({ userId: 'u1', windowEnd: 0x19abcdef012, windowStart: 0x19abcde0000 });
  });

  it('decodes the keys the embedded ksql engine writes for SESSION windows', () => {
    const window = { start: Date.parse('2026-11-25T10:00:00Z'), end: Date.parse('2026-11-25T10:07:12Z') };
    const bytes = Buffer.from(windowedKeyBytes(Buffer.from('user-ü-42', 'utf8'), 'SESSION', window));

    expect(decodeSessionKey(bytes)).toEqual({
      userId: 'user-ü-42',
      windowStart: window.start,
      windowEnd: window.end,
    });
  });

  it('round-trips through encodeSessionKey, including a single-event session (start = end)', () => {
    const key = { userId: 'user-000123', windowStart: 1_780_000_000_000, windowEnd: 1_780_000_000_000 };

    expect(decodeSessionKey(encodeSessionKey(key))).toEqual(key);
  });

  it('rejects a key with no room for a user id', () => {
    expect(decodeFailure(Buffer.alloc(16))).toBe(SessionDecodeFailure.KeyTooShort);
    expect(decodeFailure(Buffer.from('user-1'))).toBe(SessionDecodeFailure.KeyTooShort);
  });

  it('rejects a user id that is not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from([0xc3, 0x28]), Buffer.alloc(16)]);

    expect(decodeFailure(bytes)).toBe(SessionDecodeFailure.KeyNotUtf8);
  });

  it('rejects a window that ends before it starts (a time-windowed key read as a session key)', () => {
    const bytes = encodeSessionKey({ userId: 'user-1', windowStart: 2_000, windowEnd: 1_000 });

    expect(decodeFailure(bytes)).toBe(SessionDecodeFailure.WindowInvalid);
  });

  it('rejects negative window bounds', () => {
    const bytes = Buffer.concat([Buffer.from('user-1'), Buffer.alloc(16, 0xff)]);

    expect(decodeFailure(bytes)).toBe(SessionDecodeFailure.WindowInvalid);
  });
});
