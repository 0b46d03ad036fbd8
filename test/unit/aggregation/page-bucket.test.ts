import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBucketPages,
  EMPTY_BUCKET,
  encodeBucketPages,
  MAX_BUCKET_RESERVED_BYTES,
  PAGE_COUNTERS,
  type PageContribution,
  type PageTotals,
  planBucketMerge,
  rankTopPages,
  reservedBytes,
  type StoredBucket,
} from '../../../services/aggregation/index.ts';

const totalsOf = (views: number, clicks = 0): PageTotals => ({
  views,
  clicks,
  addToCarts: 0,
  purchases: 0,
  revenueCents: 0n,
});

const add = (
  into: Map<string, Record<string, number>>,
  path: string,
  counters: PageContribution['counters'],
) => {
  const known = into.get(path) ?? Object.fromEntries(PAGE_COUNTERS.map((name) => [name, 0]));
  for (const name of PAGE_COUNTERS) known[name] = (known[name] ?? 0) + (counters[name] ?? 0);
  into.set(path, known);
};

// Paths long enough that a few dozen fill a bucket, so overflow happens in most runs.
const pathPool = fc.array(
  fc
    .tuple(fc.nat(40), fc.integer({ min: 1, max: 4_000 }))
    .map(([id, length]) => `/p/${id}/${'x'.repeat(length)}`),
  { minLength: 1, maxLength: 60 },
);

describe('page buckets', () => {
  it('count every record exactly once, in the bucket or its page item, however batches are cut and redelivered', () => {
    const scenario = pathPool.chain((paths) =>
      fc.record({
        records: fc.array(
          fc.record({
            page: fc.nat(paths.length - 1),
            counter: fc.constantFrom(...PAGE_COUNTERS),
            amount: fc.integer({ min: 1, max: 5_000 }),
          }),
          { minLength: 1, maxLength: 150 },
        ),
        // Each attempt starts at or before where the last committed one ended (a retry
        // resumes from the committed offset, or earlier after a crash) and ends anywhere.
        attempts: fc.array(fc.tuple(fc.nat(30), fc.integer({ min: 1, max: 60 }), fc.boolean()), {
          minLength: 1,
          maxLength: 30,
        }),
        paths: fc.constant(paths),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ records, attempts, paths }) => {
        const stream: PageContribution[] = records.map(({ page, counter, amount }, offset) => ({
          offset,
          path: paths[page] ?? '/',
          counters: { [counter]: amount },
        }));
        let bucket: StoredBucket = EMPTY_BUCKET;
        // Overflow page items: counts and their own watermark per path (one source).
        const overflow = new Map<
          string,
          { counts: Map<string, Record<string, number>>; watermark: number }
        >();
        const applyOverflow = (contributions: readonly PageContribution[]) => {
          for (const c of contributions) {
            const item = overflow.get(c.path) ?? { counts: new Map(), watermark: -1 };
            if (c.offset > item.watermark) {
              add(item.counts, c.path, c.counters);
              item.watermark = c.offset;
            }
            overflow.set(c.path, item);
          }
        };
        let committed = 0;
        const deliver = (from: number, to: number, crashBeforeOverflow: boolean) => {
          const plan = planBucketMerge(bucket, stream.slice(from, to));
          if (plan.next !== undefined) bucket = plan.next;
          if (!crashBeforeOverflow) {
            applyOverflow(plan.overflow);
            committed = Math.max(committed, to);
          }
        };
        for (const [back, length, crash] of attempts) {
          const from = Math.max(0, committed - back);
          deliver(from, Math.min(stream.length, from + length), crash);
        }
        deliver(committed, stream.length, false);

        const expected = new Map<string, Record<string, number>>();
        for (const c of stream) add(expected, c.path, c.counters);
        const actual = new Map<string, Record<string, number>>();
        for (const [path, totals] of bucket.pages)
          add(actual, path, { ...totals, revenueCents: Number(totals.revenueCents) });
        for (const [path, item] of overflow)
          for (const counts of item.counts.values()) add(actual, path, counts);
        expect(actual).toEqual(expected);
        // No page is counted in both places, and the bucket stays within its bound.
        for (const path of bucket.pages.keys()) expect(overflow.has(path)).toBe(false);
        const reserved = [...bucket.pages.keys()].reduce((sum, path) => sum + reservedBytes(path), 0);
        expect(reserved).toBeLessThanOrEqual(MAX_BUCKET_RESERVED_BYTES);
        expect(Buffer.byteLength(encodeBucketPages(bucket.pages))).toBeLessThanOrEqual(reserved + 2);
      }),
      { numRuns: 400 },
    );
  });

  it('writes nothing for a batch the bucket already holds', () => {
    const batch: PageContribution[] = [
      { offset: 7, path: '/a', counters: { views: 1 } },
      { offset: 8, path: '/b', counters: { clicks: 1 } },
    ];
    const first = planBucketMerge(EMPTY_BUCKET, batch);
    expect(first.applied).toBe(2);
    expect(first.next?.watermark).toBe(8);

    const again = planBucketMerge(first.next ?? EMPTY_BUCKET, batch);

    expect(again).toEqual({ applied: 0, overflow: [] });
  });

  it('stores rows compactly and reads back what it stored', () => {
    const pages = new Map([
      ['/', totalsOf(3)],
      ['/products/p-1', { views: 2, clicks: 1, addToCarts: 1, purchases: 1, revenueCents: 1999n }],
      ['/odd "path"\n', totalsOf(0, 4)],
    ]);
    const stored = encodeBucketPages(pages);
    expect(stored.startsWith('[["/",3],')).toBe(true);
    expect(decodeBucketPages(stored)).toEqual(pages);
    expect(() => decodeBucketPages('{"not":"rows"}')).toThrow();
    expect(() => decodeBucketPages('[["/",-1]]')).toThrow();
    expect(() => decodeBucketPages('[["/",1,2,3,4,5,6]]')).toThrow();
  });

  it('keeps revenue past 2^53 cents exact, as a string of digits', () => {
    const cents = 10n ** 37n + 1n;
    const pages = new Map([['/', { ...totalsOf(1), revenueCents: cents }]]);

    const stored = encodeBucketPages(pages);

    expect(stored).toBe(`[["/",1,0,0,0,"${cents}"]]`);
    expect(decodeBucketPages(stored).get('/')?.revenueCents).toBe(cents);
  });

  it('ranks pages by views, ties in path order', () => {
    const totals = new Map([
      ['/b', totalsOf(5)],
      ['/a', totalsOf(5)],
      ['/c', totalsOf(9)],
      ['/d', totalsOf(1)],
    ]);
    expect(rankTopPages(totals, 3).map(([path]) => path)).toEqual(['/c', '/a', '/b']);
  });
});
