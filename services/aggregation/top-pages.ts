import type { PageTotals } from './page-bucket.ts';

/**
 * The most viewed pages of a minute, ranked when read: a page's counts of a minute are spread
 * over the buckets of the source partitions that saw it (page-bucket.ts), so its total is
 * their sum, and the ranking follows from the totals. Nothing ranked is stored, so no write
 * pays for it (docs/data-model.md).
 */

/** Adds a page's counts into running totals. */
export const addPageTotals = (totals: Map<string, PageTotals>, path: string, counts: PageTotals): void => {
  const known = totals.get(path);
  totals.set(
    path,
    known === undefined
      ? counts
      : {
          views: known.views + counts.views,
          clicks: known.clicks + counts.clicks,
          addToCarts: known.addToCarts + counts.addToCarts,
          purchases: known.purchases + counts.purchases,
          revenueCents: known.revenueCents + counts.revenueCents,
        },
  );
};

/** The `limit` most viewed pages, most viewed first; ties in path order. */
export const rankTopPages = (
  totals: ReadonlyMap<string, PageTotals>,
  limit: number,
): Array<readonly [path: string, totals: PageTotals]> =>
  [...totals]
    .sort(([pathA, a], [pathB, b]) => b.views - a.views || (pathA < pathB ? -1 : pathA > pathB ? 1 : 0))
    .slice(0, limit);
