import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionPlanner } from '../../../load-generator/funnel.ts';
import { buildPools } from '../../../load-generator/pools.ts';
import { Random } from '../../../load-generator/random.ts';
import { ClickstreamSimulation } from '../../../load-generator/simulation.ts';
import { decodeEvent, type EventType } from '../../../services/clickstream/index.ts';

const planner = new SessionPlanner(buildPools(1));

const countOf = (types: readonly EventType[], type: EventType): number =>
  types.filter((candidate) => candidate === type).length;

/**
 * A purchase is one order, paid at one checkout: whatever the seed, the segment's keenness or
 * where a run is cut off, no session and no run shows more purchases than checkouts.
 */
describe('the shopper model', { timeout: 60_000 }, () => {
  it('never purchases more often than it checks out, in any planned session', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (seed, propensity) => {
          const random = new Random(seed);
          for (let i = 0; i < 50; i++) {
            const types = planner.human(random, null, propensity).map((event) => event.type);
            expect(countOf(types, 'purchase')).toBeLessThanOrEqual(countOf(types, 'checkout'));
            expect(countOf(types, 'checkout')).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('never purchases more often than it checks out, per session and in total, over a generated run', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          rate: fc.integer({ min: 50, max: 2_000 }),
          users: fc.integer({ min: 10, max: 3_000 }),
          botShare: fc.double({ min: 0, max: 0.3, noNaN: true }),
          badRate: fc.constantFrom(0, 0.02),
          records: fc.integer({ min: 1, max: 3_000 }),
        }),
        ({ records, ...options }) => {
          const simulation = new ClickstreamSimulation({
            ...options,
            startTime: Date.parse('2026-03-14T09:26:00Z'),
            sessionGapMs: 30_000,
          });
          const checkouts = new Map<string, number>();
          const purchases = new Map<string, number>();
          for (const record of simulation.take(records)) {
            if (record.kind !== 'valid') continue;
            const event = decodeEvent(record.value);
            if (event.type === 'checkout')
              checkouts.set(event.sessionId, (checkouts.get(event.sessionId) ?? 0) + 1);
            if (event.type === 'purchase')
              purchases.set(event.sessionId, (purchases.get(event.sessionId) ?? 0) + 1);
          }
          for (const [session, count] of purchases) {
            expect(count).toBeLessThanOrEqual(checkouts.get(session) ?? 0);
          }
          const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
          expect(total(purchases)).toBeLessThanOrEqual(total(checkouts));
        },
      ),
      { numRuns: 40 },
    );
  });
});
