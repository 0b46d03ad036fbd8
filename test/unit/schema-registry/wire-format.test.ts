import { describe, expect, it } from 'vitest';
import { frame, HEADER_BYTES, unframe } from '../../../services/schema-registry/wire-format.ts';

describe('Confluent wire format', () => {
  it('frames a payload as magic byte 0, the big-endian schema id, then the payload', () => {
    const framed = frame(0x01020304, Buffer.from([9, 8]));

    expect([...framed]).toEqual([0, 1, 2, 3, 4, 9, 8]);
  });

  it('unframes what it framed', () => {
    const result = unframe(frame(42, Buffer.from('avro')));

    expect(result).toEqual({ ok: true, schemaId: 42, payload: Buffer.from('avro') });
  });

  it.each([
    ['no bytes', Buffer.alloc(0), 'no bytes'],
    ['a short header', Buffer.from([0, 0, 1]), 'shorter than the 5-byte header'],
    ['JSON text', Buffer.from('{"a":1}'), 'magic byte 123 is not 0'],
  ])('refuses %s, saying why', (_name, bytes, reason) => {
    const result = unframe(bytes);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it('refuses a schema id outside 32 bits', () => {
    expect(() => frame(2 ** 31, Buffer.alloc(0))).toThrow(RangeError);
    expect(HEADER_BYTES).toBe(5);
  });
});
