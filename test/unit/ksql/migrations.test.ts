import { describe, expect, it } from 'vitest';
import { KsqlEngine } from '../../../emulators/ksql/engine.ts';
import {
  DEFAULT_VARIABLES,
  loadMigrations,
  MIGRATIONS_DIR,
  substitute,
} from '../../../ksql/migrate/migrations.ts';
import { TEST_PROPERTIES } from './engine-helpers.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const event = (
  userId: string,
  type: string,
  eventTime: number,
  path: string,
  product: unknown = null,
  order: unknown = null,
): Record<string, unknown> => ({
  schemaVersion: 2,
  eventId: `${userId}-${eventTime}`,
  type,
  userId,
  sessionId: 's1',
  eventTime,
  page: { path, title: 'T', referrer: null },
  product,
  order,
  query: null,
  userAgent: 'Mozilla/5.0',
  ip: '10.0.0.1',
  utm: { source: null, medium: null, campaign: null },
});

describe('ksql/ migrations', () => {
  it('all run on the embedded engine and produce pageviews and sessions from clickstream events', async () => {
    // prepare
    const vars = {
      ...DEFAULT_VARIABLES,
      SESSION_GAP: '10 SECONDS',
      SESSION_GRACE: '0 SECONDS',
      BOT_THRESHOLD: '2',
    };
    const migrations = await loadMigrations(MIGRATIONS_DIR, vars);
    const engine = new KsqlEngine({ properties: TEST_PROPERTIES });
    for (const m of migrations) engine.executeScript(m.sql);
    const send = (e: Record<string, unknown>): { topic: string; value: unknown }[] =>
      engine
        .process({
          topic: 'clickstream-events',
          key: encoder.encode(e.userId as string),
          value: encoder.encode(JSON.stringify(e)),
          timestamp: 0,
        })
        .map((r) => ({
          topic: r.topic,
          value: r.value === null ? null : (JSON.parse(decoder.decode(r.value)) as unknown),
        }));

    // act
    const first = send(event('u1', 'page_view', 1_000, '/home'));
    const added = send(
      event('u1', 'add_to_cart', 1_500, '/p1', { id: 'p1', category: 'books', price: 10, quantity: 2 }),
    );
    // One order of two lines: one purchase, revenue 2 × 10 + 1 × 0.5.
    const order = {
      lines: [
        { productId: 'p1', quantity: 2, unitPrice: 10 },
        { productId: 'p2', quantity: 1, unitPrice: 0.5 },
      ],
      quantity: 3,
      revenue: 20.5,
    };
    const bought = send(event('u1', 'purchase', 2_000, '/cart', null, order));
    const later = send(event('u2', 'page_view', 60_000, '/home'));

    // assert
    expect(migrations.map((m) => m.version).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(added).toContainEqual({
      topic: 'clickstream-trending-products',
      value: { CATEGORY: 'books', INTERACTIONS: 1, UNITS_ADDED: 2, WINDOW_START: 0, WINDOW_END: 300_000 },
    });
    expect(bought.filter((output) => output.topic === 'clickstream-trending-products')).toEqual([]);
    expect(first).toContainEqual({
      topic: 'clickstream-pageviews-per-minute',
      value: { VIEWS: 1, UNIQUE_USERS: 1, WINDOW_START: 0, WINDOW_END: 60_000 },
    });
    // V000003's columns grow with its consumers; these are the ones the session logic decides.
    expect(later).toContainEqual({
      topic: 'clickstream-user-sessions',
      value: expect.objectContaining({
        EVENTS: 3,
        DISTINCT_PAGES: 3,
        ENTRY_PAGE: '/home',
        EXIT_PAGE: '/cart',
        PURCHASES: 1,
        REVENUE: 20.5,
        SESSION_START: 1_000,
        SESSION_END: 2_000,
      }),
    });
  });

  it('names the file and the variable when a variable is missing', () => {
    // prepare
    const placeholder = ['$', '{NOPE}'].join('');

    // act
    const attempt = (): string => substitute(`KAFKA_TOPIC='${placeholder}'`, {}, 'V000009__x.sql');

    // assert
    expect(attempt).toThrow(`V000009__x.sql: variable ${placeholder} is not defined`);
  });
});
