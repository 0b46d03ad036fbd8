import { describe, expect, it } from 'vitest';
import { KsqlEngine } from '../../../emulators/ksql/engine.ts';
import { EMIT_INTERVAL_PROPERTY } from '../../../emulators/ksql/window-store.ts';
import { loadMigrations, resolveVariables } from '../../../ksql/migrate/migrations.ts';
import type { ClickstreamEvent } from '../../../services/clickstream/index.ts';
import {
  decodeSessionRecord,
  type EnrichedSession,
  enrichSession,
  parseUserAgent,
} from '../../../services/enrichment/index.ts';
import type { StreamRecord } from '../../../services/kafka/record.ts';
import type { UserProfile } from '../../../services/profiles/index.ts';
import { SegmentStatsRowSchema } from '../../../services/segment-stats/index.ts';
import { aClickstreamEvent, anOrder, aPurchase } from '../../support/factories/clickstream-event.ts';
import {
  aConvertedSessionRow,
  anAbandonedCartSessionRow,
  aSessionKey,
  aSessionRow,
} from '../../support/factories/session-row.ts';
import { aProfile } from './fakes.ts';

/*
 * The ksql side of the loop on the embedded engine (emulators/ksql), offline: the statements of
 * ksql/ as migrated, fed records shaped as on the real topics.
 */

const utf8 = new TextEncoder();

const startEngine = async (): Promise<KsqlEngine> => {
  // EMIT FINAL tries to emit on every record (Kafka Streams' emit interval 0), as ksqlDB's tests do.
  const engine = new KsqlEngine({ properties: { [EMIT_INTERVAL_PROPERTY]: '0' } });
  for (const migration of await loadMigrations('ksql', resolveVariables({}, {})))
    engine.executeScript(migration.sql);
  return engine;
};

const eventRecord = (event: ClickstreamEvent): StreamRecord => ({
  topic: 'clickstream-events',
  key: utf8.encode(event.userId),
  value: utf8.encode(JSON.stringify(event)),
  timestamp: event.eventTime,
});

const enrichedRecord = (enriched: EnrichedSession): StreamRecord => ({
  topic: 'clickstream-sessions-enriched',
  key: utf8.encode(enriched.userId),
  value: utf8.encode(JSON.stringify(enriched)),
  timestamp: enriched.sessionEnd,
});

describe('the user-sessions topic, as the embedded engine writes it', () => {
  it('holds rows decodeSessionRecord reads: user and window from the key, counts from the value', async () => {
    // Prepare: one user's shopping session, then another user's event after the gap and grace.
    const engine = await startEngine();
    const t0 = Date.parse('2026-11-25T10:00:00Z');
    const product = { id: 'p-0042', category: 'shoes', price: 89.9, quantity: 2 };
    const PRODUCT_PAGE = { path: '/products/p-0042', title: 'Trail running shoes', referrer: null };
    const session = [
      aClickstreamEvent({
        userId: 'user-42',
        eventTime: t0,
        page: { path: '/', title: 'Shop', referrer: null },
      }),
      aClickstreamEvent({ userId: 'user-42', eventTime: t0 + 4_000, page: PRODUCT_PAGE }),
      aClickstreamEvent({
        userId: 'user-42',
        eventTime: t0 + 6_000,
        type: 'add_to_cart',
        product,
        page: PRODUCT_PAGE,
      }),
      aPurchase({
        userId: 'user-42',
        eventTime: t0 + 9_000,
        order: anOrder([{ productId: product.id, quantity: product.quantity, unitPrice: product.price }]),
      }),
    ];
    // 50 s: past the session's end + gap (30 s) + grace (5 s), within the store segment (60 s) that
    // holds it; a jump past that segment would drop it before it is emitted (docs/ksql.md).
    const later = aClickstreamEvent({ userId: 'user-43', eventTime: t0 + 50_000 });

    // Act
    const output = [...session, later]
      .flatMap((event) => engine.process(eventRecord(event)))
      .filter((record) => record.topic === 'clickstream-user-sessions' && record.value !== null);

    // Assert
    expect(output).toHaveLength(1);
    const [row] = output;
    const decoded = decodeSessionRecord({
      key: Buffer.from(row?.key ?? new Uint8Array()),
      value: Buffer.from(row?.value ?? new Uint8Array()),
    });
    expect(decoded).toEqual({
      kind: 'session',
      session: {
        userId: 'user-42',
        windowStart: t0,
        windowEnd: t0 + 9_000,
        row: {
          EVENTS: 4,
          DISTINCT_PAGES: 3,
          PAGE_VIEWS: 2,
          ADD_TO_CARTS: 1,
          REMOVE_FROM_CARTS: 0,
          PURCHASES: 1,
          REVENUE: 179.8,
          CART_VALUE: 179.8,
          USER_AGENT: session[0]?.userAgent,
          ENTRY_PAGE: '/',
          EXIT_PAGE: '/checkout/complete',
        },
      },
    });
  });
});

describe('ksql/V000006__sessions_enriched.sql', () => {
  it('counts sessions, conversions, revenue and abandoned cart value per segment and device per 5-minute window', async () => {
    // Prepare
    const engine = await startEngine();
    const windowStart = Date.parse('2026-11-25T10:00:00Z');
    const enriched = (userId: string, row = aSessionRow(), profile?: UserProfile, endOffset = 60_000) => {
      const key = aSessionKey({
        userId,
        windowStart: windowStart + endOffset - 30_000,
        windowEnd: windowStart + endOffset,
      });
      return enrichSession({ ...key, row }, profile, parseUserAgent(row.USER_AGENT));
    };
    const vip = aProfile({ segment: 'vip' });
    const sessions = [
      enriched('u1', aConvertedSessionRow({ REVENUE: 100 }), vip),
      enriched('u2', aConvertedSessionRow({ REVENUE: 50.5 }), vip),
      enriched('u3', anAbandonedCartSessionRow({ CART_VALUE: 64.5 }), vip),
      enriched('u4', aSessionRow(), vip),
      enriched('bot-1', aSessionRow(), undefined, 90_000),
      // The next window: its own row.
      enriched('u5', aConvertedSessionRow({ REVENUE: 10 }), vip, 360_000),
    ];

    // Act
    const rows = sessions
      .flatMap((session) => engine.process(enrichedRecord(session)))
      .filter((record) => record.topic === 'clickstream-segment-stats')
      .map((record) =>
        SegmentStatsRowSchema.parse(JSON.parse(new TextDecoder().decode(record.value ?? undefined))),
      );

    // Assert: the latest row of each segment × device × window holds its totals.
    const latest = new Map(
      rows.map((row) => [`${row.CUSTOMER_SEGMENT}/${row.DEVICE_CLASS}/${row.WINDOW_START}`, row]),
    );
    expect(Object.fromEntries(latest)).toEqual({
      [`vip/desktop/${windowStart}`]: {
        CUSTOMER_SEGMENT: 'vip',
        DEVICE_CLASS: 'desktop',
        SESSIONS: 4,
        CONVERSIONS: 2,
        ABANDONED_CARTS: 1,
        REVENUE: 150.5,
        ABANDONED_CART_VALUE: 64.5,
        CONVERSION_RATE: 0.5,
        WINDOW_START: windowStart,
        WINDOW_END: windowStart + 300_000,
      },
      [`unknown/desktop/${windowStart}`]: expect.objectContaining({
        SESSIONS: 1,
        CONVERSIONS: 0,
        CONVERSION_RATE: 0,
      }),
      [`vip/desktop/${windowStart + 300_000}`]: expect.objectContaining({ SESSIONS: 1, REVENUE: 10 }),
    });
    expect(engine.skipped.size).toBe(0);
  });
});
