import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PageCounter } from './data-model.ts';

/**
 * The most viewed pages of a minute, kept in one small item per minute instead of a global
 * secondary index. An index entry is rewritten (a delete and a put, each billed) on every
 * update that moves its sort key, so ranking by views through an index doubled the cost of
 * every page update; this item is written at most once per batch per minute, from the page
 * totals the batch's own updates return (docs/data-model.md).
 *
 * Merging keeps, per page, the field-wise maximum: every counter of a page only grows, so a
 * snapshot offered twice, late or out of order never lowers what the item holds.
 */

/** Pages a top-pages item keeps: the dashboard shows 8, the demo 5. */
export const TOP_PAGES_KEPT = 10;
/** Paths are shown, not keyed, here: a longer path is cut (the page item keeps it whole). */
const MAX_SHOWN_PATH_BYTES = 128;

/** A page's totals in a minute, as the top-pages item holds them. */
export interface TopPageEntry {
  /** 12 hex characters of the SHA-256 of the full path: which page this is. */
  readonly id: string;
  /** The path, cut to {@link MAX_SHOWN_PATH_BYTES} bytes with `…` when longer. */
  readonly path: string;
  readonly counters: Readonly<Record<PageCounter, number>>;
}

const COUNTERS: readonly PageCounter[] = ['views', 'clicks', 'addToCarts', 'purchases', 'revenueCents'];

const shownPath = (path: string): string => {
  const bytes = Buffer.from(path, 'utf8');
  if (bytes.length <= MAX_SHOWN_PATH_BYTES) return path;
  // Decoding a cut in the middle of a character yields U+FFFD; drop it.
  return `${bytes
    .subarray(0, MAX_SHOWN_PATH_BYTES - 3)
    .toString('utf8')
    .replace(/\uFFFD+$/u, '')}…`;
};

/** The entry of a page with the given totals. */
export const topPageEntry = (path: string, totals: Readonly<Record<string, number>>): TopPageEntry => ({
  id: createHash('sha256').update(path).digest('hex').slice(0, 12),
  path: shownPath(path),
  counters: Object.fromEntries(COUNTERS.map((name) => [name, totals[name] ?? 0])) as Record<
    PageCounter,
    number
  >,
});

const byViews = (a: TopPageEntry, b: TopPageEntry): number =>
  b.counters.views - a.counters.views || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The `TOP_PAGES_KEPT` most viewed of both lists, each page's counters at their maximum. */
export const mergeTopPages = (
  current: readonly TopPageEntry[],
  offered: readonly TopPageEntry[],
): TopPageEntry[] => {
  const byId = new Map<string, TopPageEntry>();
  for (const entry of [...current, ...offered]) {
    const known = byId.get(entry.id);
    byId.set(
      entry.id,
      known === undefined
        ? entry
        : {
            ...known,
            counters: Object.fromEntries(
              COUNTERS.map((name) => [name, Math.max(known.counters[name], entry.counters[name])]),
            ) as Record<PageCounter, number>,
          },
    );
  }
  return [...byId.values()].sort(byViews).slice(0, TOP_PAGES_KEPT);
};

/** Whether two ranked lists hold the same pages with the same counters. */
export const sameTopPages = (a: readonly TopPageEntry[], b: readonly TopPageEntry[]): boolean =>
  a.length === b.length &&
  a.every(
    (entry, i) =>
      entry.id === b[i]?.id && COUNTERS.every((name) => entry.counters[name] === b[i]?.counters[name]),
  );

/**
 * The stored form: one JSON string of rows `[id, path, views, clicks, addToCarts, purchases,
 * revenueCents]`. DynamoDB bills an item by the bytes of its attribute names too, so a list
 * of maps would repeat seven names per page; this keeps a full item under 1 KB (one write
 * unit) for paths of typical length.
 */
const StoredRow = z.tuple([
  z.string(),
  z.string(),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
]);
const StoredRows = z.array(StoredRow).max(TOP_PAGES_KEPT);

export const encodeTopPages = (entries: readonly TopPageEntry[]): string =>
  JSON.stringify(
    entries.map(({ id, path, counters }) => [id, path, ...COUNTERS.map((name) => counters[name])]),
  );

/** Reads the stored form; throws ZodError / SyntaxError on a malformed value. */
export const decodeTopPages = (stored: string): TopPageEntry[] =>
  StoredRows.parse(JSON.parse(stored)).map(([id, path, ...values]) => ({
    id,
    path,
    counters: Object.fromEntries(COUNTERS.map((name, i) => [name, values[i] ?? 0])) as Record<
      PageCounter,
      number
    >,
  }));
