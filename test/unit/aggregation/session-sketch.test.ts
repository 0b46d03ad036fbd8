import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  linearCountingStandardError,
  SESSION_SKETCH_STANDARD_ERROR,
  SessionSketch,
} from '../../../services/aggregation/index.ts';

const ids = (count: number, prefix = 'session'): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
const hex = (sketch: SessionSketch): string => Buffer.from(sketch.toBytes()).toString('hex');

describe('SessionSketch', () => {
  it('counts small minutes within the linear-counting error', () => {
    for (const count of [0, 1, 10, 50, 200, 700, 2_000]) {
      // Three standard errors (Whang et al., 1990) and the rounding to a whole session.
      expect(Math.abs(SessionSketch.of(ids(count)).estimate() - count)).toBeLessThanOrEqual(
        3 * linearCountingStandardError(count) + 0.5,
      );
    }
    expect(linearCountingStandardError(100)).toBeCloseTo(2.25, 2);
    expect(linearCountingStandardError(0)).toBe(0);
  });

  it('stays within four linear-counting standard errors over many random minutes', () => {
    // Random ids, as a real minute brings: the documented error, not a lucky fixed sample.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer(), (count, seed) => {
        const minute = ids(count, `r${seed}`);
        const error = Math.abs(SessionSketch.of(minute).estimate() - count);
        // At a handful of sessions the error is whole collisions, which the normal
        // approximation understates (σ ≈ 0.1 at 5 ids, yet one collision is an error of 1).
        expect(error).toBeLessThanOrEqual(Math.max(1, 4 * linearCountingStandardError(count)) + 0.5);
      }),
      { numRuns: 300 },
    );
  });

  it('estimates large minutes within three standard errors', () => {
    for (const count of [5_000, 50_000]) {
      const estimate = SessionSketch.of(ids(count, `n${count}`)).estimate();
      expect(Math.abs(estimate - count) / count).toBeLessThanOrEqual(3 * SESSION_SKETCH_STANDARD_ERROR);
    }
  });

  it('has a fixed size, whatever the sessions and their ids', () => {
    expect(SessionSketch.empty().toBytes()).toHaveLength(768);
    expect(SessionSketch.of(ids(20_000).map((id) => id.padEnd(64, 'x'))).toBytes()).toHaveLength(768);
  });

  it('merges idempotently, in any order and any split: the sketch of the union', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ maxLength: 12 }), { maxLength: 30 }), { maxLength: 6 }),
        (parts) => {
          const whole = SessionSketch.of(parts.flat());
          const merged = parts
            .map((part) => SessionSketch.of(part))
            .reduce((a, b) => a.union(b), SessionSketch.empty());
          const reversed = [...parts]
            .reverse()
            .map((part) => SessionSketch.of(part))
            .reduce((a, b) => b.union(a), SessionSketch.empty());
          expect(hex(merged)).toBe(hex(whole));
          expect(hex(reversed)).toBe(hex(whole));
          expect(hex(merged.union(merged))).toBe(hex(whole));
          expect(whole.covers(merged)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('round-trips its packed bytes and refuses a value of the wrong size', () => {
    const sketch = SessionSketch.of(ids(3_000));
    expect(hex(SessionSketch.fromBytes(sketch.toBytes()))).toBe(hex(sketch));
    expect(() => SessionSketch.fromBytes(new Uint8Array(767))).toThrow(RangeError);
  });

  it('covers a sketch only when it adds nothing', () => {
    const some = SessionSketch.of(ids(100));
    expect(some.covers(SessionSketch.of(ids(50)))).toBe(true);
    expect(SessionSketch.of(ids(50)).covers(some)).toBe(false);
  });
});
