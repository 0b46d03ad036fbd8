import { SessionSketch, type TopPageEntry } from '../../../services/aggregation/index.ts';
import { FUNNEL_ATTRIBUTE_OF_TYPE, type ReferenceTotals } from './reference-totals.ts';

const number = (value: unknown): number => (typeof value === 'number' ? value : 0);

const TYPE_OF_ATTRIBUTE = new Map(
  Object.entries(FUNNEL_ATTRIBUTE_OF_TYPE).map(([type, name]) => [name, type]),
);

/** A stored top-pages entry in the reference's row form. */
export const topPageRow = ({ id, counters: c }: TopPageEntry): string =>
  `${id} ${c.views} ${c.clicks} ${c.addToCarts} ${c.purchases} ${c.revenueCents}`;

/**
 * Folds stored items, whichever store they come from (the in-memory fake, a dynalite Scan),
 * into the reference's shape, so that both are compared with {@link referenceTotals} the same way.
 */
export class StoredTotals {
  readonly #totals: ReferenceTotals = {
    pages: new Map(),
    funnels: new Map(),
    sessions: new Map(),
    topPages: new Map(),
  };
  readonly #sketches = new Map<string, SessionSketch>();

  page(path: string, minute: string, counters: Readonly<Record<string, unknown>>): void {
    this.#totals.pages.set(`${path} ${minute}`, {
      views: number(counters.views),
      clicks: number(counters.clicks),
      addToCarts: number(counters.addToCarts),
      purchases: number(counters.purchases),
      revenueCents: number(counters.revenueCents),
    });
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

  topPages(minute: string, entries: readonly TopPageEntry[]): void {
    this.#totals.topPages.set(minute, entries.map(topPageRow));
  }

  build(): ReferenceTotals {
    for (const [minute, sketch] of this.#sketches) {
      this.#totals.sessions.set(minute, Buffer.from(sketch.toBytes()).toString('hex'));
    }
    return this.#totals;
  }
}
