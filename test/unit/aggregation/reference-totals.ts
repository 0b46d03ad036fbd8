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
  /** Keyed by minute. */
  sessions: Map<string, Set<string>>;
}

const minute = (epochMs: number): string => `${new Date(epochMs).toISOString().slice(0, 16)}Z`;

/** The reference the aggregation is checked against; deliberately shares no code with it. */
export const referenceTotals = (events: readonly ClickstreamEvent[]): ReferenceTotals => {
  const totals: ReferenceTotals = { pages: new Map(), funnels: new Map(), sessions: new Map() };
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
    const sessions = totals.sessions.get(bucket) ?? new Set();
    sessions.add(event.sessionId);
    totals.sessions.set(bucket, sessions);
    if (!['page_view', 'click', 'add_to_cart', 'purchase'].includes(event.type)) continue;
    const key = `${event.page.path} ${bucket}`;
    const page = totals.pages.get(key) ?? {
      views: 0,
      clicks: 0,
      addToCarts: 0,
      purchases: 0,
      revenueCents: 0,
    };
    if (event.type === 'page_view') page.views += 1;
    if (event.type === 'click') page.clicks += 1;
    if (event.type === 'add_to_cart') page.addToCarts += 1;
    if (event.type === 'purchase') page.purchases += 1;
    page.revenueCents += revenueCents;
    totals.pages.set(key, page);
  }
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
