import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rateProfile, recordsIn } from '../../../load-generator/rate-profile.ts';

const burstSpec = fc
  .record({
    rate: fc.integer({ min: 1, max: 10_000 }),
    burstRate: fc.integer({ min: 1, max: 100_000 }),
    seconds: fc.integer({ min: 1, max: 600 }),
    extra: fc.integer({ min: 1, max: 600 }),
  })
  .map(({ rate, burstRate, seconds, extra }) => ({
    rate,
    burst: { rate: burstRate, seconds, everySeconds: seconds + extra },
  }));

describe('rateProfile', () => {
  it('is steady without a burst: i / rate seconds', () => {
    const profile = rateProfile({ rate: 200 });
    expect(profile.timeOf(1000)).toBe(5000);
    expect(profile.dueBy(5000)).toBe(1000);
    expect(profile.rateAt(123_456)).toBe(200);
    expect(recordsIn(profile, 60_000)).toBe(12_000);
  });

  it('runs steady first, then the burst, period after period', () => {
    // 100/s for 180 s, then 2,000/s for 60 s, every 240 s.
    const profile = rateProfile({ rate: 100, burst: { rate: 2000, seconds: 60, everySeconds: 240 } });
    expect(profile.rateAt(0)).toBe(100);
    expect(profile.rateAt(179_999)).toBe(100);
    expect(profile.rateAt(180_000)).toBe(2000);
    expect(profile.rateAt(240_000)).toBe(100);
    expect(profile.dueBy(180_000)).toBe(18_000);
    expect(profile.dueBy(240_000)).toBe(18_000 + 120_000);
    expect(recordsIn(profile, 480_000)).toBe(2 * 138_000);
    expect(profile.timeOf(18_000 + 2000)).toBe(181_000);
    expect(profile.peakRate).toBe(2000);
  });

  it('timeOf inverts dueBy, and both only grow', () => {
    fc.assert(
      fc.property(
        burstSpec,
        fc.double({ min: 0, max: 10_000_000, noNaN: true }),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        (spec, t, dt) => {
          const profile = rateProfile(spec);
          const due = profile.dueBy(t);
          expect(profile.timeOf(due)).toBeCloseTo(t, 3);
          expect(profile.dueBy(t + dt)).toBeGreaterThanOrEqual(due);
          expect(profile.rateAt(t)).toSatisfy(
            (rate: number) => rate === spec.rate || rate === spec.burst.rate,
          );
        },
      ),
    );
  });
});
