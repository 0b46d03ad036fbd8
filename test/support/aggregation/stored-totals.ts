import { type PageTotals, rankTopPages, SessionSketch } from '../../../services/aggregation/index.ts';
import { FUNNEL_ATTRIBUTE_OF_TYPE, type ReferenceTotals, topPageRow } from './reference-totals.ts';

const number = (value: unknown): number =>
  typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : 0;

const TYPE_OF_ATTRIBUTE = new Map(
  Object.entries(FUNNEL_ATTRIBUTE_OF_TYPE).map(([type, name]) => [name, type]),
);

/**
 * Folds stored items, whichever store they come from (the in-memory fake, a dynalite Scan),
 * into the reference's shape, so that both are compared with {@link referenceTotals} the same way.
 * A page's counts of a minute may sit in several items (a bucket per source partition, an
 * overflow item): they are added up.
 */
export class StoredTotals {
  readonly #totals: ReferenceTotals = {
    pages: new Map(),
    funnels: new Map(),
    sessions: new Map(),
    topPages: new Map(),
  };
  readonly #sketches = new Map<string, SessionSketch>();
  readonly #pagesOfMinute = new Map<string, Map<string, PageTotals>>();

  page(path: string, minute: string, counters: Readonly<Record<string, unknown>>): void {
    const key = `${path} ${minute}`;
    const known = this.#totals.pages.get(key);
    const page = {
      views: number(counters.views) + (known?.views ?? 0),
      clicks: number(counters.clicks) + (known?.clicks ?? 0),
      addToCarts: number(counters.addToCarts) + (known?.addToCarts ?? 0),
      purchases: number(counters.purchases) + (known?.purchases ?? 0),
      revenueCents: number(counters.revenueCents) + (known?.revenueCents ?? 0),
    };
    this.#totals.pages.set(key, page);
    let pages = this.#pagesOfMinute.get(minute);
    if (pages === undefined) {
      pages = new Map();
      this.#pagesOfMinute.set(minute, pages);
    }
    pages.set(path, { ...page, revenueCents: BigInt(page.revenueCents) });
  }

  funnel(minute: string, counters: Readonly<Record<string, unknown>>): void {
    const funnel: Record<string, number> = { revenueCents: 0 };
    for (const [name, type] of TYPE_OF_ATTRIBUTE) {
      if (number(counters[name]) !== 0) funnel[type] = number(counters[name]);
    }
    this.#totals.funnels.set(minute, funnel);
  }

  /** One source partition's sketch of a minute: the minute's is their union. */
  sketch(minute: string, sketch: SessionSketch): void {
    this.#sketches.set(minute, (this.#sketches.get(minute) ?? SessionSketch.empty()).union(sketch));
  }

  /** A minute's top pages as a reader returned them; by default, ranked from the stored pages. */
  topPages(minute: string, rows: readonly string[]): void {
    this.#totals.topPages.set(minute, [...rows]);
  }

  build(): ReferenceTotals {
    for (const [minute, sketch] of this.#sketches) {
      this.#totals.sessions.set(minute, Buffer.from(sketch.toBytes()).toString('hex'));
    }
    for (const [minute, pages] of this.#pagesOfMinute) {
      if (this.#totals.topPages.has(minute)) continue;
      this.#totals.topPages.set(
        minute,
        rankTopPages(pages, 10).map(([path, totals]) =>
          topPageRow(path, { ...totals, revenueCents: Number(totals.revenueCents) }),
        ),
      );
    }
    return this.#totals;
  }
}
