import { createHash } from 'node:crypto';
import { isbot } from 'isbot';
import { describe, expect, it } from 'vitest';
import { RecordKind } from '../../../load-generator/bad-records.ts';
import { buildPools } from '../../../load-generator/pools.ts';
import { ClickstreamSimulation, type SimulationOptions } from '../../../load-generator/simulation.ts';
import { type ClickstreamEvent, decodeEvent, EventDecodeError } from '../../../services/clickstream/index.ts';

const START = Date.parse('2025-06-01T12:00:00Z');

const options = (overrides: Partial<SimulationOptions> = {}): SimulationOptions => ({
  seed: 1,
  startTime: START,
  rate: 500,
  users: 2000,
  botShare: 0.05,
  badRate: 0,
  sessionGapMs: 30_000,
  ...overrides,
});

const digest = (simulation: ClickstreamSimulation, count: number) => {
  const hash = createHash('sha256');
  for (const record of simulation.take(count)) {
    hash.update(record.key).update('\0').update(String(record.timestamp)).update('\0').update(record.value);
  }
  return hash.digest('hex');
};

const valid = (simulation: ClickstreamSimulation, count: number): ClickstreamEvent[] =>
  simulation.take(count).map((record) => decodeEvent(record.value));

// Statistical tests draw tens of thousands of records: give a shared 2-core machine time.
describe('ClickstreamSimulation', { timeout: 30_000 }, () => {
  it('gives byte-identical streams for the same seed and start time', () => {
    // Act
    const first = digest(new ClickstreamSimulation(options({ badRate: 0.05 })), 10_000);
    const second = digest(new ClickstreamSimulation(options({ badRate: 0.05 })), 10_000);

    // Assert
    expect(second).toBe(first);
  });

  it('gives another stream for another seed', () => {
    const first = digest(new ClickstreamSimulation(options({ seed: 1 })), 2_000);
    const other = digest(new ClickstreamSimulation(options({ seed: 2 })), 2_000);

    expect(other).not.toBe(first);
  });

  it('keeps behaviour but renews ids and times when only the start time changes', () => {
    // Prepare
    const later = START + 3_600_000;

    // Act
    const a = valid(new ClickstreamSimulation(options()), 5_000);
    const b = valid(new ClickstreamSimulation(options({ startTime: later })), 5_000);

    // Assert: same users, pages and offsets; fresh event and session ids (no de-dup clash).
    expect(b.map((e) => [e.userId, e.type, e.page.path, e.eventTime - later])).toEqual(
      a.map((e) => [e.userId, e.type, e.page.path, e.eventTime - START]),
    );
    const idsA = new Set(a.map((e) => e.eventId));
    expect(b.filter((e) => idsA.has(e.eventId))).toEqual([]);
    expect(b[0]?.sessionId).not.toBe(a[0]?.sessionId);
  });

  it('produces valid events keyed by user id, encoded exactly as JSON.stringify would', () => {
    const records = new ClickstreamSimulation(options()).take(10_000);

    const mismatches = records.filter((record) => {
      const event = decodeEvent(record.value);
      return (
        record.key !== event.userId ||
        record.timestamp !== event.eventTime ||
        record.value.toString('utf8') !== JSON.stringify(event)
      );
    });

    expect(mismatches).toEqual([]);
  });

  it('clocks records at the rate: record k at start + k / rate', () => {
    const rate = 2000;

    const records = new ClickstreamSimulation(options({ rate, users: 20_000 })).take(10_000);

    records.forEach((record, k) => {
      expect(record.timestamp).toBe(START + Math.floor((k * 1000) / rate));
    });
  });

  it('leaves every user idle for at least the session gap between two sessions', () => {
    // Prepare: few users, so they come back many times within the run.
    const gap = 5_000;
    const events = valid(
      new ClickstreamSimulation(options({ users: 300, sessionGapMs: gap, rate: 200 })),
      40_000,
    );
    const byUser = new Map<string, ClickstreamEvent[]>();
    for (const event of events) byUser.set(event.userId, [...(byUser.get(event.userId) ?? []), event]);

    // Act
    let returns = 0;
    const violations: string[] = [];
    for (const [userId, userEvents] of byUser) {
      for (let i = 1; i < userEvents.length; i++) {
        const previous = userEvents[i - 1] as ClickstreamEvent;
        const current = userEvents[i] as ClickstreamEvent;
        if (current.sessionId === previous.sessionId) continue;
        returns++;
        if (current.eventTime - previous.eventTime < gap) violations.push(userId);
      }
    }

    // Assert
    expect(returns).toBeGreaterThan(500);
    expect(violations).toEqual([]);
  });

  it('sends about the asked share of bot traffic, with bot user agents', () => {
    const events = valid(
      new ClickstreamSimulation(options({ rate: 2000, users: 20_000, botShare: 0.1 })),
      50_000,
    );

    const bots = events.filter((e) => e.userId.startsWith('bot-'));

    expect(bots.length / events.length).toBeGreaterThan(0.06);
    expect(bots.length / events.length).toBeLessThan(0.14);
    expect(bots.every((e) => /bot|crawler|python|curl|Scrapy|Headless/i.test(e.userAgent))).toBe(true);
    expect(bots.every((e) => ['page_view', 'click'].includes(e.type))).toBe(true);
    // Shoppers send browser user agents only: a crawler string would make the enrichment class them as bots.
    const shoppers = events.filter((e) => !e.userId.startsWith('bot-'));
    const shopperAgents = new Set(shoppers.map((e) => e.userAgent));
    expect([...shopperAgents].filter((agent) => isbot(agent))).toEqual([]);
  });

  it('draws no crawler into the browser user-agent pool, and only crawlers into the bot pool', () => {
    const pools = buildPools(7);

    expect(pools.browserUserAgents).toHaveLength(200);
    expect(pools.browserUserAgents.filter((agent) => isbot(agent))).toEqual([]);
    expect(pools.botUserAgents.every((agent) => isbot(agent))).toBe(true);
  });

  it('sends no bot traffic when the bot share is 0', () => {
    const events = valid(new ClickstreamSimulation(options({ botShare: 0 })), 5_000);

    expect(events.filter((e) => e.userId.startsWith('bot-'))).toEqual([]);
  });

  it('makes the asked share of bad records, split evenly, each failing for its own reason', () => {
    // Prepare
    const expectedReason = {
      [RecordKind.MalformedJson]: 'MALFORMED_JSON',
      [RecordKind.SchemaInvalid]: 'SCHEMA_INVALID',
      [RecordKind.Oversized]: 'OVERSIZED',
    } as const;

    // Act
    const records = new ClickstreamSimulation(options({ badRate: 0.3 })).take(15_000);

    // Assert
    const bad = records.filter((record) => record.kind !== RecordKind.Valid);
    expect(bad.length / records.length).toBeGreaterThan(0.28);
    expect(bad.length / records.length).toBeLessThan(0.32);
    for (const kind of [RecordKind.MalformedJson, RecordKind.SchemaInvalid, RecordKind.Oversized] as const) {
      const ofKind = bad.filter((record) => record.kind === kind);
      expect(ofKind.length / bad.length).toBeGreaterThan(0.3);
      expect(ofKind.length / bad.length).toBeLessThan(0.37);
      for (const record of ofKind) {
        const error = (() => {
          try {
            decodeEvent(record.value);
          } catch (caught) {
            return caught;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(EventDecodeError);
        expect((error as EventDecodeError).reason).toBe(expectedReason[kind]);
      }
    }
  });

  it('draws products by Zipf popularity: the top product is viewed far more than the median one', () => {
    const events = valid(new ClickstreamSimulation(options({ botShare: 0 })), 30_000);
    const views = new Map<string, number>();
    for (const e of events) {
      if (e.type === 'page_view' && e.page.path.startsWith('/products/')) {
        views.set(e.page.path, (views.get(e.page.path) ?? 0) + 1);
      }
    }

    const sorted = [...views.values()].sort((a, b) => b - a);

    expect(sorted[0]).toBeGreaterThan(20 * (sorted[Math.floor(sorted.length / 2)] ?? 1));
    expect(views.get('/products/SKU-100000')).toBe(sorted[0]);
  });
});
