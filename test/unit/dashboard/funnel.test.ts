import { describe, expect, it } from 'vitest';
import { funnelOf } from '../../../dashboard/build-snapshot.ts';
import { FUNNEL } from '../../../load-generator/funnel.ts';
import { ClickstreamSimulation } from '../../../load-generator/simulation.ts';
import {
  aggregateEvents,
  decimalOfCents,
  Entity,
  pendingUpdate,
} from '../../../services/aggregation/index.ts';
import { decodeEvent, toCents } from '../../../services/clickstream/index.ts';

const START = Date.parse('2026-03-14T09:26:00Z');

/**
 * The dashboard's funnel over what the aggregation counts of a generated run, with bad records:
 * the path a user sees, from the load generator through the funnel counters to the rates.
 */
describe('the funnel of a generated run', { timeout: 30_000 }, () => {
  it('counts one purchase per order: never more purchases than checkouts, revenue the orders’ total', () => {
    // Prepare
    const simulation = new ClickstreamSimulation({
      seed: 7,
      startTime: START,
      rate: 200,
      users: 2_000,
      botShare: 0.05,
      badRate: 0.02,
      sessionGapMs: 30_000,
    });
    const events = simulation
      .take(30_000)
      .filter((record) => record.kind === 'valid')
      .map((record) => decodeEvent(record.value));
    const orders = events.flatMap((event) => (event.order === null ? [] : [event.order]));

    // Act
    const aggregate = aggregateEvents(
      events.map((event, offset) => ({ event, source: 'clickstream-events-0', offset })),
      30,
      START,
    );
    const minutes = aggregate.counterItems
      .filter((item) => item.entity === Entity.Funnel)
      .map((item) => pendingUpdate(item, new Map())?.counters ?? {})
      .map((counters) => ({
        pageViews: counters.pageViews ?? 0,
        addToCarts: counters.addToCarts ?? 0,
        checkouts: counters.checkouts ?? 0,
        purchases: counters.purchases ?? 0,
        revenueCents: BigInt(counters.revenueCents ?? 0),
      }));
    const funnel = funnelOf(minutes, '2026-03-14T09:26Z', '2026-03-14T12:00Z');

    // Assert
    const [views, carts, checkouts, purchases] = funnel.steps;
    expect(aggregate.rejected).toEqual([]);
    expect(purchases?.count).toBe(orders.length);
    expect(purchases?.count).toBeGreaterThan(50);
    expect(purchases?.count).toBeLessThanOrEqual(checkouts?.count ?? 0);
    expect(purchases?.fromPrevious).toBeCloseTo(FUNNEL.purchaseRate, 1);
    expect(checkouts?.count).toBeLessThanOrEqual(carts?.count ?? 0);
    expect(carts?.count).toBeLessThanOrEqual(views?.count ?? 0);
    const ordersCents = orders.reduce((sum, order) => sum + toCents(order.revenue), 0);
    expect(funnel.revenue).toBe(decimalOfCents(BigInt(ordersCents)));
  });
});
