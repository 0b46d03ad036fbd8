import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTopPages,
  encodeTopPages,
  mergeTopPages,
  TOP_PAGES_KEPT,
  topPageEntry,
} from '../../../services/aggregation/index.ts';

const entry = (path: string, views: number, clicks = 0) =>
  topPageEntry(path, { views, clicks, addToCarts: 0, purchases: 0, revenueCents: 0 });

describe('top pages', () => {
  it('keeps the most viewed pages, each at its highest counters, whatever order snapshots arrive in', () => {
    // Snapshots of growing totals per page, offered in any order and any number of times.
    const snapshots = fc.array(
      fc.record({ page: fc.integer({ min: 0, max: 25 }), views: fc.nat(1_000), clicks: fc.nat(100) }),
      { maxLength: 80 },
    );
    fc.assert(
      fc.property(snapshots, fc.integer({ min: 1, max: 4 }), (offers, repeat) => {
        const entries = offers.map(({ page, views, clicks }) => entry(`/p/${page}`, views, clicks));
        const once = entries.reduce((top, offered) => mergeTopPages(top, [offered]), mergeTopPages([], []));
        const shuffled = [...entries]
          .reverse()
          .flatMap((offered) => Array<typeof offered>(repeat).fill(offered));
        const again = shuffled.reduce((top, offered) => mergeTopPages(top, [offered]), mergeTopPages([], []));
        expect(again).toEqual(once);
        expect(once.length).toBeLessThanOrEqual(TOP_PAGES_KEPT);
        const best = new Map<string, { views: number; clicks: number }>();
        for (const { page, views, clicks } of offers) {
          const known = best.get(`/p/${page}`) ?? { views: 0, clicks: 0 };
          best.set(`/p/${page}`, {
            views: Math.max(known.views, views),
            clicks: Math.max(known.clicks, clicks),
          });
        }
        for (const kept of once)
          expect(best.get(kept.path)).toEqual({ views: kept.counters.views, clicks: kept.counters.clicks });
        const cut = once.at(-1)?.counters.views ?? 0;
        if (once.length === TOP_PAGES_KEPT)
          expect([...best.values()].filter(({ views }) => views > cut).length).toBeLessThanOrEqual(
            TOP_PAGES_KEPT,
          );
      }),
      { numRuns: 300 },
    );
  });

  it('stores a full list in under 1 KB and reads it back', () => {
    const top = mergeTopPages(
      [],
      Array.from({ length: 12 }, (_, i) => entry(`/products/product-${i}-a-typical-slug`, 1_000 - i, 50)),
    );
    const stored = encodeTopPages(top);
    expect(Buffer.byteLength(stored)).toBeLessThan(1024);
    expect(decodeTopPages(stored)).toEqual(top);
  });

  it('shows a long path cut to 128 bytes, still one page by the hash of the whole path', () => {
    const long = `/search?q=${'é'.repeat(400)}`;
    const shown = entry(long, 1);
    expect(Buffer.byteLength(shown.path)).toBeLessThanOrEqual(128);
    expect(shown.path.endsWith('…')).toBe(true);
    expect(entry(`${long}x`, 1).id).not.toBe(shown.id);
  });

  it('refuses a malformed stored value', () => {
    expect(() => decodeTopPages('{"not":"rows"}')).toThrow();
    expect(() => decodeTopPages('[["id","/",-1,0,0,0,0]]')).toThrow();
  });
});
