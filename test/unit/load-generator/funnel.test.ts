import { describe, expect, it } from 'vitest';
import { FUNNEL, orderLines, type PlannedEvent, SessionPlanner } from '../../../load-generator/funnel.ts';
import { buildPools } from '../../../load-generator/pools.ts';
import { Random } from '../../../load-generator/random.ts';
import type { EventType } from '../../../services/clickstream/index.ts';

const planner = new SessionPlanner(buildPools(1));

const plan = (count: number, propensity = 1, seed = 11): PlannedEvent[][] => {
  const random = new Random(seed);
  return Array.from({ length: count }, () => planner.human(random, null, propensity));
};

const share = (sessions: PlannedEvent[][], type: EventType) =>
  sessions.filter((events) => events.some((event) => event.type === type)).length / sessions.length;

describe('SessionPlanner.human', () => {
  it('narrows like a shopping funnel: views > carts > checkouts > purchases', () => {
    // Act
    const sessions = plan(20_000);

    // Assert
    const cart = share(sessions, 'add_to_cart');
    const checkout = share(sessions, 'checkout');
    const purchase = share(sessions, 'purchase');
    expect(share(sessions, 'page_view')).toBe(1);
    // (1 - bounce) × add-to-cart rate, and so on down the funnel, within sampling noise.
    expect(cart).toBeCloseTo((1 - FUNNEL.bounceRate) * FUNNEL.addToCartRate, 2);
    expect(checkout / cart).toBeGreaterThan(FUNNEL.checkoutRate * 0.85);
    expect(checkout / cart).toBeLessThan(FUNNEL.checkoutRate * 1.05);
    expect(purchase / checkout).toBeCloseTo(FUNNEL.purchaseRate, 1);
    expect(purchase).toBeGreaterThan(0.02);
    expect(purchase).toBeLessThan(0.08);
  });

  it('bounces the expected share of sessions after the landing page', () => {
    const sessions = plan(20_000);

    const bounced = sessions.filter((events) => events.length === 1).length / sessions.length;

    expect(bounced).toBeCloseTo(FUNNEL.bounceRate, 1);
  });

  it('keeps every session in funnel order', () => {
    const sessions = plan(5_000);

    for (const events of sessions) {
      const types = events.map((event) => event.type);
      const first = (type: EventType) => types.indexOf(type);
      expect(types[0]).toBe('page_view');
      if (types.includes('remove_from_cart'))
        expect(first('add_to_cart')).toBeLessThan(first('remove_from_cart'));
      if (types.includes('checkout')) expect(first('add_to_cart')).toBeLessThan(first('checkout'));
      if (types.includes('purchase')) expect(first('checkout')).toBeLessThan(first('purchase'));
      for (const event of events) {
        if (['add_to_cart', 'remove_from_cart'].includes(event.type)) expect(event.product).not.toBeNull();
        expect(event.order === null).toBe(event.type !== 'purchase');
        if (event.type === 'search') expect(event.query).not.toBeNull();
      }
    }
  });

  it('converts more often for a keener segment', () => {
    const average = plan(20_000, 1, 5);
    const keen = plan(20_000, 1.7, 5);

    expect(share(keen, 'purchase')).toBeGreaterThan(share(average, 'purchase') * 1.5);
  });

  it('buys exactly what is left in the cart, as one order after one checkout', () => {
    const sessions = plan(20_000).filter((events) => events.some((event) => event.type === 'purchase'));

    expect(sessions.length).toBeGreaterThan(100);
    for (const events of sessions) {
      const cart = new Map<string, number>();
      for (const event of events) {
        const id = event.product?.id ?? '';
        const quantity = event.product?.quantity ?? 0;
        if (event.type === 'add_to_cart') cart.set(id, (cart.get(id) ?? 0) + quantity);
        if (event.type === 'remove_from_cart') cart.set(id, (cart.get(id) ?? 0) - quantity);
      }
      const purchases = events.filter((event) => event.type === 'purchase');
      expect(purchases).toHaveLength(1);
      expect(events.filter((event) => event.type === 'checkout')).toHaveLength(1);
      const order = purchases[0]?.order;
      const left = [...cart].filter(([, quantity]) => quantity > 0);
      expect(order?.lines.map((line) => [line.productId, line.quantity])).toEqual(left);
      expect(order?.quantity).toBe(left.reduce((sum, [, quantity]) => sum + quantity, 0));
    }
  });

  it('merges repeated adds of one product into one order line', () => {
    const shoe = { id: 'sku-1', category: 'shoes', price: 19.99, quantity: 1 };
    const hat = { id: 'sku-2', category: 'hats', price: 5, quantity: 2 };

    expect(orderLines([shoe, hat, { ...shoe, quantity: 2 }])).toEqual([
      { productId: 'sku-1', quantity: 3, unitPrice: 19.99 },
      { productId: 'sku-2', quantity: 2, unitPrice: 5 },
    ]);
  });
});

describe('SessionPlanner.bot', () => {
  it('crawls many pages and never shops', () => {
    const random = new Random(2);

    const sessions = Array.from({ length: 500 }, () => planner.bot(random));

    const lengths = sessions.map((events) => events.length);
    expect(lengths.reduce((a, b) => a + b, 0) / lengths.length).toBeGreaterThan(30);
    expect(sessions.flat().every((event) => event.type === 'page_view' || event.type === 'click')).toBe(true);
  });
});
