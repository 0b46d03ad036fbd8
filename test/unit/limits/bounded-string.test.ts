import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedKeyPart, utf8Bytes, utf8Prefix, wellFormed } from '../../../services/limits/index.ts';

describe('wellFormed', () => {
  it('replaces each lone surrogate with U+FFFD and keeps pairs', () => {
    expect(wellFormed('/s\ud800')).toBe('/s\ufffd');
    expect(wellFormed('/s\udc00')).toBe('/s\ufffd');
    expect(wellFormed('/😀')).toBe('/😀');
  });

  it('gives the string a UTF-8 round trip keeps, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const text = wellFormed(value);
        expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
      }),
    );
  });
});

describe('boundedKeyPart', () => {
  it('keeps a value that fits, and digests one that does not, within the bytes given', () => {
    expect(boundedKeyPart('/products/p-1', 100)).toBe('/products/p-1');
    const long = `/${'é'.repeat(1000)}`;
    const key = boundedKeyPart(long, 1019);
    expect(utf8Bytes(key)).toBeLessThanOrEqual(1019);
    expect(key).toMatch(/^\/é+~[0-9a-f]{32}$/);
  });

  it('never gives two different well-formed values one key, even one crafted to look digested', () => {
    const long = `/${'a'.repeat(2000)}`;
    const crafted = boundedKeyPart(long, 100);
    expect(boundedKeyPart(crafted, 100)).not.toBe(crafted);
  });

  it('stays within the bytes and is injective on well-formed values, for any strings', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.integer({ min: 40, max: 200 }),
        (a, b, max) => {
          expect(utf8Bytes(boundedKeyPart(a, max))).toBeLessThanOrEqual(max);
          if (wellFormed(a) !== wellFormed(b))
            expect(boundedKeyPart(a, max)).not.toBe(boundedKeyPart(b, max));
        },
      ),
    );
  });
});

describe('utf8Prefix', () => {
  it('cuts between code points, never inside one', () => {
    expect(utf8Prefix('aé😀', 4)).toBe('aé');
    expect(utf8Prefix('aé😀', 7)).toBe('aé😀');
  });
});
