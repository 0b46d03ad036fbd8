import { randomUUID } from 'node:crypto';
import {
  type ClickstreamEvent,
  type EventType,
  encodeEvent,
  type Order,
  type OrderLine,
  orderOf,
  SCHEMA_VERSION,
} from '../../../services/clickstream/index.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';

/** 2026-03-14T09:26:00Z: a fixed minute so that buckets are predictable. */
export const BASE_TIME = Date.parse('2026-03-14T09:26:00Z');

const PRODUCT = { id: 'sku-4711', category: 'shoes', price: 19.99, quantity: 3 };

/** An order of `lines` (default: three of sku-4711 at 19.99, 59.97), its totals derived. */
export const anOrder = (
  lines: readonly OrderLine[] = [
    { productId: PRODUCT.id, quantity: PRODUCT.quantity, unitPrice: PRODUCT.price },
  ],
): Order => orderOf(lines);

/**
 * A valid clickstream event; override any field. `type` decides whether it carries a product,
 * an order or a query. The one event factory of the tests.
 */
export const aClickstreamEvent = (
  overrides: Partial<ClickstreamEvent> & { type?: EventType } = {},
): ClickstreamEvent => {
  const type = overrides.type ?? 'page_view';
  return {
    schemaVersion: SCHEMA_VERSION,
    eventId: randomUUID(),
    type,
    userId: 'user-1',
    sessionId: 'session-1',
    eventTime: BASE_TIME + 5_000,
    page: { path: '/', title: 'Home', referrer: null },
    product: ['add_to_cart', 'remove_from_cart'].includes(type) ? PRODUCT : null,
    order: type === 'purchase' ? anOrder() : null,
    query: type === 'search' ? 'running shoes' : null,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0',
    ip: '198.51.100.4',
    utm: { source: null, medium: null, campaign: null },
    ...overrides,
  };
};

/** A Kafka record as the event source mapping delivers it. */
export const aSourceRecord = (overrides: Partial<SourceRecord> = {}): SourceRecord => ({
  topic: 'clickstream-events',
  partition: 0,
  offset: 0,
  timestamp: BASE_TIME + 5_040,
  timestampType: 'CREATE_TIME',
  key: Buffer.from('user-1'),
  value: encodeEvent(aClickstreamEvent()),
  headers: [],
  ...overrides,
});

/** A record carrying `event`, keyed by its user. */
export const anEventRecord = (
  event: ClickstreamEvent,
  partition: number,
  offset: number,
  topic = 'clickstream-events',
): SourceRecord =>
  aSourceRecord({ topic, partition, offset, key: Buffer.from(event.userId), value: encodeEvent(event) });

/** A purchase: one order, by default of one line (p-0042 at 89.90). */
export const aPurchase = (overrides: Partial<ClickstreamEvent> = {}): ClickstreamEvent =>
  aClickstreamEvent({
    type: 'purchase',
    page: { path: '/checkout/complete', title: 'Thank you', referrer: '/checkout' },
    order: anOrder([{ productId: 'p-0042', quantity: 1, unitPrice: 89.9 }]),
    ...overrides,
  });
