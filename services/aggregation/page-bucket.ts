import { z } from 'zod';
import { DynamoDbLimits } from '../limits/index.ts';
import type { PageCounter } from './data-model.ts';

/**
 * A page bucket: the counters of many pages of one minute seen on one source partition, in
 * one item (docs/data-model.md). DynamoDB bills a write by the size of the whole item
 * (1 WRU per started KB of the larger of the item before and after:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html#write-operation-consumption),
 * so one page per item costs a full unit for a few bytes of counters; packed, a batch pays
 * for the bytes it rewrites. One source partition per item means one writer per item (a
 * partition is processed in order, one batch at a time), so a single watermark — the highest
 * offset applied — makes the item idempotent, and writes never contend.
 *
 * Bounded: a bucket admits a page only while the bytes it reserves for its pages stay under
 * {@link MAX_BUCKET_RESERVED_BYTES}; a page that does not fit is counted in its own page
 * item instead (the overflow). Admission only grows and a page once refused is refused for
 * good (the reservation does not depend on counts), so a redelivered batch routes every
 * record where it went the first time: see {@link planBucketMerge}.
 */

/**
 * The counters of one page, every one present. Revenue is a BigInt: a bucket's sum of
 * maximum-size orders passes 2^53 cents after some 1,800 of them (MAX_ORDER_CENTS,
 * services/clickstream/event.ts), and a JavaScript number would then round it. Counts stay
 * numbers: they cannot pass 2^53 records.
 */
export type PageTotals = Readonly<
  Record<Exclude<PageCounter, 'revenueCents'>, number> & { revenueCents: bigint }
>;

/** What one record adds to a page of a bucket. */
export interface PageContribution {
  readonly offset: number;
  readonly path: string;
  readonly counters: Readonly<Partial<Record<PageCounter, number>>>;
}

/** A bucket as stored: its pages and the highest offset of its partition applied to them. */
export interface StoredBucket {
  readonly pages: ReadonlyMap<string, PageTotals>;
  /** -1 when the bucket does not exist yet. */
  readonly watermark: number;
}

export const EMPTY_BUCKET: StoredBucket = { pages: new Map(), watermark: -1 };

/**
 * Bytes a bucket reserves per page beyond its path's JSON: four counts of up to 16 digits,
 * revenue as a quoted string of up to DynamoDB's 38 digits, separators and brackets. The
 * stored row is never longer, so the reservation bounds the item.
 */
const RESERVED_COUNTER_BYTES = 4 * 17 + DynamoDbLimits.numberDigits + 3 + 2;

/**
 * Reserved bytes a bucket's pages may take: 64 KB, so an item stays far below DynamoDB's
 * 400 KB item limit and a rewrite costs at most 64 WRU. The shop's ~1,250 pages take about a
 * third of the 8 buckets of a partition's minute (data-model.ts); only a flood of distinct
 * paths overflows.
 */
export const MAX_BUCKET_RESERVED_BYTES = 64 * 1024;

/** What a page reserves in a bucket: its row's worst-case length. */
export const reservedBytes = (path: string): number =>
  Buffer.byteLength(JSON.stringify(path), 'utf8') + RESERVED_COUNTER_BYTES;

const ZERO_TOTALS: PageTotals = { views: 0, clicks: 0, addToCarts: 0, purchases: 0, revenueCents: 0n };

/** A page's totals with one record's counters added; exact (revenue in BigInt). */
const addCounters = (totals: PageTotals, counters: PageContribution['counters']): PageTotals => ({
  views: totals.views + (counters.views ?? 0),
  clicks: totals.clicks + (counters.clicks ?? 0),
  addToCarts: totals.addToCarts + (counters.addToCarts ?? 0),
  purchases: totals.purchases + (counters.purchases ?? 0),
  revenueCents: totals.revenueCents + BigInt(counters.revenueCents ?? 0),
});

/** What a batch does to one bucket. */
export interface BucketPlan {
  /** The bucket after the batch; undefined when nothing in it changes (nothing to write). */
  readonly next?: StoredBucket;
  /** Records applied to the bucket by this write. */
  readonly applied: number;
  /** Records of pages the bucket does not admit: they go to their own page items. */
  readonly overflow: readonly PageContribution[];
}

/**
 * Merges a batch's contributions (ascending offsets) into a stored bucket, exactly once.
 *
 * - A page already in the bucket: its records above the watermark are added; the others are
 *   in it already (a redelivery).
 * - A page not in the bucket, record above the watermark: the page is admitted if its
 *   reservation fits, else the record overflows.
 * - A page not in the bucket, record at or below the watermark: the bucket saw that record and
 *   did not admit its page then, so it overflowed then and overflows again (its page item's own
 *   watermark makes that idempotent).
 */
export const planBucketMerge = (
  stored: StoredBucket,
  contributions: readonly PageContribution[],
): BucketPlan => {
  const pages = new Map(stored.pages);
  let reserved = 0;
  for (const path of pages.keys()) reserved += reservedBytes(path);
  const overflow: PageContribution[] = [];
  const refused = new Set<string>();
  let watermark = stored.watermark;
  let applied = 0;
  for (const contribution of contributions) {
    const { path, offset } = contribution;
    let totals = pages.get(path);
    if (totals === undefined) {
      if (offset <= stored.watermark || refused.has(path)) {
        refused.add(path);
        overflow.push(contribution);
        continue;
      }
      const needed = reservedBytes(path);
      if (reserved + needed > MAX_BUCKET_RESERVED_BYTES) {
        refused.add(path);
        overflow.push(contribution);
        continue;
      }
      reserved += needed;
      totals = ZERO_TOTALS;
    } else if (offset <= stored.watermark) {
      continue;
    }
    pages.set(path, addCounters(totals, contribution.counters));
    watermark = Math.max(watermark, offset);
    applied += 1;
  }
  return applied === 0 ? { applied, overflow } : { next: { pages, watermark }, applied, overflow };
};

/**
 * The stored form of a bucket's pages: one JSON string of rows `[path, views, clicks,
 * addToCarts, purchases, revenueCents]` with trailing zeros left out. DynamoDB bills the
 * bytes of attribute names too, so a map per page would repeat five names. Revenue past
 * 2^53 is written as a string of its digits, which JSON.parse cannot round.
 */
export const encodeBucketPages = (pages: ReadonlyMap<string, PageTotals>): string =>
  JSON.stringify(
    [...pages].map(([path, totals]) => {
      const cents = totals.revenueCents;
      const values: Array<number | string> = [
        totals.views,
        totals.clicks,
        totals.addToCarts,
        totals.purchases,
        cents <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(cents) : cents.toString(),
      ];
      while (values.length > 0 && values[values.length - 1] === 0) values.pop();
      return [path, ...values];
    }),
  );

const Count = z.number().int().nonnegative();
const Cents = z.union([Count, z.string().regex(/^\d{1,38}$/)]).transform((value) => BigInt(value));
const StoredRow = z.tuple([z.string()], z.union([Count, z.string()])).refine((row) => row.length <= 6);

/** Reads the stored form; throws ZodError / SyntaxError on a malformed value. */
export const decodeBucketPages = (stored: string): Map<string, PageTotals> =>
  new Map(
    z
      .array(StoredRow)
      .parse(JSON.parse(stored))
      .map(([path, views, clicks, addToCarts, purchases, revenueCents]) => [
        path,
        {
          views: Count.parse(views ?? 0),
          clicks: Count.parse(clicks ?? 0),
          addToCarts: Count.parse(addToCarts ?? 0),
          purchases: Count.parse(purchases ?? 0),
          revenueCents: Cents.parse(revenueCents ?? 0),
        },
      ]),
  );
