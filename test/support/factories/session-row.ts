import { encodeSessionKey, type SessionKey, type SessionRow } from '../../../services/enrichment/index.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';

/** The user-sessions topic, as the ksql statements name it. */
export const USER_SESSIONS_TOPIC = 'clickstream-user-sessions';

/** A session key: user-0001's session from 10:00:00 to 10:04:30 (UTC). */
export const aSessionKey = (overrides: Partial<SessionKey> = {}): SessionKey => ({
  userId: 'user-0001',
  windowStart: Date.parse('2026-11-25T10:00:00.000Z'),
  windowEnd: Date.parse('2026-11-25T10:04:30.000Z'),
  ...overrides,
});

/** The value ksqlDB writes for a browsing session of four page views and no cart. */
export const aSessionRow = (overrides: Partial<SessionRow> = {}): SessionRow => ({
  EVENTS: 6,
  DISTINCT_PAGES: 3,
  PAGE_VIEWS: 4,
  ADD_TO_CARTS: 0,
  REMOVE_FROM_CARTS: 0,
  PURCHASES: 0,
  REVENUE: 0,
  USER_AGENT:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  ENTRY_PAGE: '/',
  EXIT_PAGE: '/products/p-0042',
  ...overrides,
});

/** A session that bought: cart, checkout, purchase. */
export const aConvertedSessionRow = (overrides: Partial<SessionRow> = {}): SessionRow =>
  aSessionRow({
    EVENTS: 9,
    ADD_TO_CARTS: 1,
    PURCHASES: 1,
    REVENUE: 89.9,
    EXIT_PAGE: '/checkout/complete',
    ...overrides,
  });

/** A session that put something in the cart and left. */
export const anAbandonedCartSessionRow = (overrides: Partial<SessionRow> = {}): SessionRow =>
  aSessionRow({ EVENTS: 7, ADD_TO_CARTS: 2, REMOVE_FROM_CARTS: 1, EXIT_PAGE: '/cart', ...overrides });

/** Where a record sits on its topic. */
export interface RecordPosition {
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
}

/** A record of the user-sessions topic as the event source mapping delivers it (key and value bytes). */
export const aSessionRecord = (
  key: SessionKey = aSessionKey(),
  row: SessionRow | null = aSessionRow(),
  position: RecordPosition = {},
): SourceRecord => ({
  topic: position.topic ?? USER_SESSIONS_TOPIC,
  partition: position.partition ?? 0,
  offset: position.offset ?? 0,
  timestamp: key.windowEnd,
  timestampType: 'CREATE_TIME',
  key: encodeSessionKey(key),
  value: row === null ? null : Buffer.from(JSON.stringify(row), 'utf8'),
  headers: [],
});

/** The tombstone ksqlDB writes under a session's old key when a later event merges it into another. */
export const aSessionTombstone = (
  key: SessionKey = aSessionKey(),
  position: RecordPosition = {},
): SourceRecord => aSessionRecord(key, null, position);
