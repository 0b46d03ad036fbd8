import {
  type ClickstreamEvent,
  type EventType,
  MAX_ORDER_LINES,
  type OrderLine,
  orderOf,
} from '../services/clickstream/index.ts';
import type { Segment } from '../services/profiles/index.ts';
import type { CatalogProduct, Pools } from './pools.ts';
import { SHOP_ORIGIN } from './pools.ts';
import { type Random, WeightedPicker, Zipf } from './random.ts';

/** One event of a planned session, before it gets its id, time and user. */
export interface PlannedEvent {
  type: EventType;
  page: ClickstreamEvent['page'];
  product: ClickstreamEvent['product'];
  order: ClickstreamEvent['order'];
  query: string | null;
}

/**
 * The shopping funnel's transition probabilities. Orders of magnitude follow published
 * e-commerce benchmarks: about 40 % of sessions bounce, a quarter of the rest add to the
 * cart, about half of carts reach checkout and most checkouts pay — a 2–5 % conversion.
 */
export const FUNNEL = {
  /** Sessions that leave after the landing page. */
  bounceRate: 0.4,
  /** Mean browsing events (page views, clicks, searches) after the landing page. */
  meanBrowseEvents: 3,
  /** Non-bounced sessions that add something to the cart (× segment propensity). */
  addToCartRate: 0.25,
  /** Mean further items added once one is. */
  meanExtraItems: 0.6,
  /** Carts from which one item is removed again. */
  removeRate: 0.2,
  /** Carts that go to checkout (× segment propensity). */
  checkoutRate: 0.5,
  /** Checkouts that end in a purchase. */
  purchaseRate: 0.7,
} as const;

/** How much more (or less) likely each segment is to add to the cart and check out. */
export const SEGMENT_PROPENSITY: Readonly<Record<Segment, number>> = {
  new: 0.7,
  casual: 1,
  loyal: 1.3,
  vip: 1.7,
  bargain_hunter: 0.9,
};

/** Mean page views of a crawler's visit. */
export const MEAN_BOT_EVENTS = 60;

const browseSteps = new WeightedPicker<'page_view' | 'click' | 'search'>([
  ['page_view', 5],
  ['click', 3],
  ['search', 2],
]);

/**
 * The lines of the order a cart becomes: one per product, quantities of repeated adds summed,
 * in the order the products were first added.
 */
export const orderLines = (cart: ReadonlyArray<NonNullable<PlannedEvent['product']>>): OrderLine[] => {
  const lines = new Map<string, OrderLine>();
  for (const item of cart) {
    const line = lines.get(item.id);
    if (line === undefined)
      lines.set(item.id, { productId: item.id, quantity: item.quantity, unitPrice: item.price });
    else line.quantity += item.quantity;
  }
  return [...lines.values()];
};

const url = (path: string) => `${SHOP_ORIGIN}${path}`;

type CartLine = NonNullable<PlannedEvent['product']>;

/** A visit being planned: its events so far, and the page (and product) on screen. */
class Visit {
  readonly events: PlannedEvent[] = [];
  current: PlannedEvent['page'];
  currentProduct: CatalogProduct | undefined;

  constructor(landing: { page: PlannedEvent['page']; product?: CatalogProduct }) {
    this.current = landing.page;
    this.view(landing.page, landing.product);
  }

  view(page: PlannedEvent['page'], product?: CatalogProduct): void {
    this.events.push({ type: 'page_view', page, product: null, order: null, query: null });
    this.current = page;
    this.currentProduct = product;
  }

  goTo(path: string, title: string, product?: CatalogProduct): void {
    this.view({ path, title, referrer: url(this.current.path) }, product);
  }

  /** An event on the current page. */
  act(
    type: EventType,
    details: { product?: CartLine; order?: PlannedEvent['order']; query?: string } = {},
  ): void {
    this.events.push({
      type,
      page: this.current,
      product: details.product ?? null,
      order: details.order ?? null,
      query: details.query ?? null,
    });
  }
}

/** From the cart to checkout and purchase, as far as the visitor goes. */
const goToCheckout = (random: Random, visit: Visit, cart: CartLine[], propensity: number): void => {
  visit.goTo('/cart', 'Your cart');
  if (random.chance(FUNNEL.removeRate)) {
    const [removed] = cart.splice(random.int(cart.length), 1);
    if (removed !== undefined) visit.act('remove_from_cart', { product: removed });
  }
  if (cart.length === 0) return;
  if (!random.chance(Math.min(0.95, FUNNEL.checkoutRate * propensity))) return;
  visit.goTo('/checkout', 'Checkout');
  visit.act('checkout');
  if (!random.chance(FUNNEL.purchaseRate)) return;
  visit.goTo('/checkout/confirmation', 'Thank you for your order');
  // One checkout pays for one order: a single purchase event carrying every line.
  visit.act('purchase', { order: orderOf(orderLines(cart)) });
};

/**
 * Plans sessions over the shop's catalogue: which pages a visitor sees, in what order,
 * and how far down the funnel they get. Pure: all randomness comes from the caller's
 * {@link Random}.
 */
export class SessionPlanner {
  readonly #productRank: Zipf;
  readonly #categoryRank: Zipf;
  readonly #queryRank: Zipf;

  private readonly pools: Pools;

  constructor(pools: Pools) {
    this.pools = pools;
    this.#productRank = new Zipf(pools.products.length, 1.1);
    this.#categoryRank = new Zipf(pools.categories.length, 0.9);
    this.#queryRank = new Zipf(pools.searchQueries.length, 1.0);
  }

  /** A human visit following the funnel; `propensity` scales the cart and checkout rates. */
  human(random: Random, referrer: string | null, propensity: number): PlannedEvent[] {
    const visit = new Visit(this.#landingPage(random, referrer));
    if (random.chance(FUNNEL.bounceRate)) return visit.events;
    this.#browse(random, visit);
    if (!random.chance(Math.min(0.95, FUNNEL.addToCartRate * propensity))) return visit.events;
    const cart = this.#fillCart(random, visit);
    goToCheckout(random, visit, cart, propensity);
    return visit.events;
  }

  /** Browsing after the landing page: page views, clicks and searches. */
  #browse(random: Random, visit: Visit): void {
    const browse = 1 + random.geometric(FUNNEL.meanBrowseEvents - 1);
    for (let i = 0; i < browse; i++) {
      const step = browseSteps.pick(random);
      if (step === 'click') {
        visit.act('click');
      } else if (step === 'search') {
        const query = this.pools.searchQueries[this.#queryRank.sample(random)] ?? 'gift';
        visit.goTo(`/search?q=${encodeURIComponent(query)}`, `Search: ${query}`);
        visit.act('search', { query });
      } else if (random.chance(0.7)) {
        const product = this.#popularProduct(random);
        visit.goTo(`/products/${product.id}`, product.title, product);
      } else {
        const category = this.#popularCategory(random);
        visit.goTo(`/category/${encodeURIComponent(category.toLowerCase())}`, category);
      }
    }
  }

  /** Adds the product on screen (or popular ones) to the cart; returns the cart. */
  #fillCart(random: Random, visit: Visit): CartLine[] {
    const cart: CartLine[] = [];
    // At most MAX_ORDER_LINES products, so that the cart always fits one order.
    const items = Math.min(MAX_ORDER_LINES, 1 + random.geometric(FUNNEL.meanExtraItems));
    for (let i = 0; i < items; i++) {
      let product = visit.currentProduct;
      if (product === undefined || i > 0) {
        product = this.#popularProduct(random);
        visit.goTo(`/products/${product.id}`, product.title, product);
      }
      const line = {
        id: product.id,
        category: product.category,
        price: product.price,
        quantity: random.chance(0.15) ? 2 : 1,
      };
      cart.push(line);
      visit.act('add_to_cart', { product: line });
    }
    return cart;
  }

  /** A crawler's visit: many page views (and a few clicks) spread evenly over the catalogue. */
  bot(random: Random): PlannedEvent[] {
    const events: PlannedEvent[] = [];
    const count = 10 + random.geometric(MEAN_BOT_EVENTS - 10);
    let previous: string | null = null;
    for (let i = 0; i < count; i++) {
      const product = random.pick(this.pools.products);
      const path = random.chance(0.8)
        ? `/products/${product.id}`
        : `/category/${encodeURIComponent(product.category.toLowerCase())}`;
      const page = { path, title: random.chance(0.8) ? product.title : product.category, referrer: previous };
      events.push({
        type: random.chance(0.1) ? 'click' : 'page_view',
        page,
        product: null,
        order: null,
        query: null,
      });
      previous = url(path);
    }
    return events;
  }

  #landingPage(
    random: Random,
    referrer: string | null,
  ): { page: PlannedEvent['page']; product?: CatalogProduct } {
    const roll = random.next();
    if (roll < 0.4) return { page: { path: '/', title: 'Home', referrer } };
    if (roll < 0.75) {
      const product = this.#popularProduct(random);
      return { page: { path: `/products/${product.id}`, title: product.title, referrer }, product };
    }
    const category = this.#popularCategory(random);
    return {
      page: { path: `/category/${encodeURIComponent(category.toLowerCase())}`, title: category, referrer },
    };
  }

  #popularProduct(random: Random): CatalogProduct {
    return this.pools.products[this.#productRank.sample(random)] as CatalogProduct;
  }

  #popularCategory(random: Random): string {
    return this.pools.categories[this.#categoryRank.sample(random)] as string;
  }
}
