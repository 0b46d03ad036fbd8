import { randomUUID } from 'node:crypto';
import type { ClickstreamEvent } from '../../services/clickstream/index.ts';

/** A valid page_view event; override any field. The factory every test builds events with. */
export const aClickstreamEvent = (overrides: Partial<ClickstreamEvent> = {}): ClickstreamEvent => ({
  schemaVersion: 1,
  eventId: randomUUID(),
  type: 'page_view',
  userId: 'user-0001',
  sessionId: 'session-0001',
  eventTime: Date.parse('2026-11-25T10:00:30.000Z'),
  page: { path: '/products/p-0042', title: 'Trail running shoes', referrer: null },
  product: null,
  query: null,
  userAgent:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  ip: '203.0.113.7',
  utm: { source: null, medium: null, campaign: null },
  ...overrides,
});

/** A purchase of one product. */
export const aPurchase = (overrides: Partial<ClickstreamEvent> = {}): ClickstreamEvent =>
  aClickstreamEvent({
    type: 'purchase',
    page: { path: '/checkout/complete', title: 'Thank you', referrer: '/checkout' },
    product: { id: 'p-0042', category: 'shoes', price: 89.9, quantity: 1 },
    ...overrides,
  });
