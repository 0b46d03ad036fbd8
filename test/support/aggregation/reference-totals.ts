import { SessionSketch } from '../../../services/aggregation/index.ts';
import type { ClickstreamEvent } from '../../../services/clickstream/index.ts';

/** Counters of one page in one minute, as the test expects them. */
export interface PageTotals {
  views: number;
  clicks: number;
  addToCarts: number;
  purchases: number;
  revenueCents: number;
}

/** What a set of events must add up to, computed the plain way: one event at a time. */
export interface ReferenceTotals {
  /** Keyed by `<path> <minute>`. */
  pages: Map<string, PageTotals>;
  /** Keyed by minute: events per type, plus `events` and `revenueCents`. */
  funnels: Map<string, Record<string, number>>;
  /**
   * Keyed by minute: the hex of the session sketch of the minute's distinct sessions. A
   * sketch of a set does not depend on how the set was split or in which order it was
   * added, so the stored union must equal it byte for byte.
   */
  sessions: Map<string, string>;
  /**
   * Keyed by minute: its ten most viewed pages, most viewed first (ties in path order), each
   * `<path> <views> <clicks> <addToCarts> <purchases> <revenueCents>`.
   */
  topPages: Map<string, string[]>;
}

/** A top-pages row as the reference writes it. */
export const topPageRow = (
  path: string,
  totals: Omit<PageTotals, 'revenueCents'> & { revenueCents: number | bigint },
): string =>
  `${path} ${totals.views} ${totals.clicks} ${totals.addToCarts} ${totals.purchases} ${totals.revenueCents}`;

/** The reference's top-pages rows of a minute, from its pages' totals. */
export const topPageRows = (pages: ReadonlyArray<readonly [path: string, totals: PageTotals]>): string[] =>
  [...pages]
    .sort(([pathA, a], [pathB, b]) => {
      if (a.views !== b.views) return b.views - a.views;
      return pathA < pathB ? -1 : pathA > pathB ? 1 : 0;
    })
    .slice(0, 10)
    .map(([path, totals]) => topPageRow(path, totals));

const minute = (epochMs: number): string => `${new Date(epochMs).toISOString().slice(0, 16)}Z`;

/** The reference the aggregation is checked against; deliberately shares no code with it. */
export const referenceTotals = (events: readonly ClickstreamEvent[]): ReferenceTotals => {
  const totals: ReferenceTotals = {
    pages: new Map(),
    funnels: new Map(),
    sessions: new Map(),
    topPages: new Map(),
  };
  const sessions = new Map<string, Set<string>>();
  const pagesOfMinute = new Map<string, [string, PageTotals][]>();
  for (const event of events) {
    const bucket = minute(event.eventTime);
    let revenueCents = 0;
    for (const line of event.order?.lines ?? [])
      revenueCents += Math.round(line.unitPrice * 100) * line.quantity;
    const funnel = totals.funnels.get(bucket) ?? {};
    funnel.events = (funnel.events ?? 0) + 1;
    funnel[event.type] = (funnel[event.type] ?? 0) + 1;
    funnel.revenueCents = (funnel.revenueCents ?? 0) + revenueCents;
    totals.funnels.set(bucket, funnel);
    const minuteSessions = sessions.get(bucket) ?? new Set();
    minuteSessions.add(event.sessionId);
    sessions.set(bucket, minuteSessions);
    if (!['page_view', 'click', 'add_to_cart', 'purchase'].includes(event.type)) continue;
    const key = `${event.page.path} ${bucket}`;
    let page = totals.pages.get(key);
    if (page === undefined) {
      page = { views: 0, clicks: 0, addToCarts: 0, purchases: 0, revenueCents: 0 };
      const minutePages = pagesOfMinute.get(bucket) ?? [];
      minutePages.push([event.page.path, page]);
      pagesOfMinute.set(bucket, minutePages);
    }
    if (event.type === 'page_view') page.views += 1;
    if (event.type === 'click') page.clicks += 1;
    if (event.type === 'add_to_cart') page.addToCarts += 1;
    if (event.type === 'purchase') page.purchases += 1;
    page.revenueCents += revenueCents;
    totals.pages.set(key, page);
  }
  for (const [bucket, ids] of sessions) {
    totals.sessions.set(bucket, Buffer.from(SessionSketch.of(ids).toBytes()).toString('hex'));
  }
  for (const [bucket, pages] of pagesOfMinute) totals.topPages.set(bucket, topPageRows(pages));
  return totals;
};

/** Funnel attribute names by event type, to compare a stored funnel with the reference. */
export const FUNNEL_ATTRIBUTE_OF_TYPE: Record<string, string> = {
  page_view: 'pageViews',
  click: 'clicks',
  search: 'searches',
  add_to_cart: 'addToCarts',
  remove_from_cart: 'removeFromCarts',
  checkout: 'checkouts',
  purchase: 'purchases',
  events: 'events',
  revenueCents: 'revenueCents',
};
