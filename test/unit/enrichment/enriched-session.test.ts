import { describe, expect, it } from 'vitest';
import {
  CartAbandonedSchema,
  cartAbandonedOf,
  DeviceClass,
  deriveFacts,
  EnrichedSessionSchema,
  enrichSession,
  parseUserAgent,
  type Session,
  sessionEventId,
  UNKNOWN_SEGMENT,
} from '../../../services/enrichment/index.ts';
import {
  aConvertedSessionRow,
  anAbandonedCartSessionRow,
  aSessionKey,
  aSessionRow,
} from '../../support/factories/session-row.ts';
import { aProfile } from './fakes.ts';

const aSession = (row = aSessionRow(), key = aSessionKey()): Session => ({ ...key, row });

describe('deriveFacts', () => {
  it('takes the duration from the window and rounds revenue to cents', () => {
    const session = aSession(aConvertedSessionRow({ REVENUE: 0.1 + 0.2 + 89.9 }));

    expect(deriveFacts(session)).toEqual({
      durationMs: 270_000,
      bounce: false,
      converted: true,
      cartAbandoned: false,
      revenue: 90.2,
      abandonedCartValue: 0,
    });
  });

  it('values an abandoned cart at what was put in less what was taken out, never below zero', () => {
    expect(
      deriveFacts(aSession(anAbandonedCartSessionRow({ CART_VALUE: 0.1 + 64.4 }))).abandonedCartValue,
    ).toBe(64.5);
    expect(deriveFacts(aSession(anAbandonedCartSessionRow({ CART_VALUE: -5 }))).abandonedCartValue).toBe(0);
    expect(deriveFacts(aSession(aConvertedSessionRow({ CART_VALUE: 89.9 }))).abandonedCartValue).toBe(0);
  });

  it('calls a single-event session a bounce', () => {
    const key = aSessionKey({ windowEnd: aSessionKey().windowStart });
    const facts = deriveFacts(aSession(aSessionRow({ EVENTS: 1, PAGE_VIEWS: 1 }), key));

    expect(facts).toMatchObject({ bounce: true, durationMs: 0 });
  });

  it('calls a cart abandoned when it still holds items and nothing was bought', () => {
    expect(deriveFacts(aSession(anAbandonedCartSessionRow())).cartAbandoned).toBe(true);
    expect(deriveFacts(aSession(aSessionRow({ ADD_TO_CARTS: 2, REMOVE_FROM_CARTS: 2 }))).cartAbandoned).toBe(
      false,
    );
    expect(deriveFacts(aSession(aConvertedSessionRow())).cartAbandoned).toBe(false);
  });

  it('counts any add-to-cart as a held cart when removals are not reported', () => {
    const { REMOVE_FROM_CARTS: _removed, ...row } = aSessionRow({ ADD_TO_CARTS: 1 });

    expect(deriveFacts(aSession(row)).cartAbandoned).toBe(true);
  });
});

describe('enrichSession', () => {
  it('joins the profile and the parsed user agent onto the session', () => {
    const session = aSession(aConvertedSessionRow());

    const enriched = enrichSession(session, aProfile(), parseUserAgent(session.row.USER_AGENT));

    expect(EnrichedSessionSchema.parse(enriched)).toEqual(enriched);
    expect(enriched).toMatchObject({
      eventId: sessionEventId('session_enriched', 'user-0001', session.windowStart),
      userId: 'user-0001',
      sessionStart: session.windowStart,
      sessionEnd: session.windowEnd,
      events: 9,
      pageViews: 4,
      purchases: 1,
      revenue: 89.9,
      converted: true,
      landingPage: '/',
      exitPage: '/checkout/complete',
      segment: 'loyal',
      country: 'DE',
      marketingOptIn: true,
      deviceClass: DeviceClass.Desktop,
      browserName: 'Chrome',
      osName: 'Mac OS',
    });
  });

  it('enriches a user without a profile as "unknown"', () => {
    const session = aSession();

    const enriched = enrichSession(session, undefined, parseUserAgent(session.row.USER_AGENT));

    expect(enriched).toMatchObject({
      segment: UNKNOWN_SEGMENT,
      country: null,
      marketingOptIn: null,
      signupDate: null,
    });
    expect(EnrichedSessionSchema.safeParse(enriched).success).toBe(true);
  });

  it('gives the same event the same bytes on every run', () => {
    const session = aSession();
    const client = parseUserAgent(session.row.USER_AGENT);

    expect(JSON.stringify(enrichSession(session, aProfile(), client))).toBe(
      JSON.stringify(enrichSession(session, aProfile(), client)),
    );
  });
});

describe('cartAbandonedOf', () => {
  it('derives a cart-abandoned event, with its own id, from an abandoned session', () => {
    const session = aSession(anAbandonedCartSessionRow());
    const enriched = enrichSession(session, aProfile(), parseUserAgent(session.row.USER_AGENT));

    const abandoned = cartAbandonedOf(enriched);

    expect(abandoned).toBeDefined();
    expect(CartAbandonedSchema.parse(abandoned)).toMatchObject({
      eventId: sessionEventId('cart_abandoned', 'user-0001', session.windowStart),
      sessionEventId: enriched.eventId,
      addToCarts: 2,
      exitPage: '/cart',
      segment: 'loyal',
      marketingOptIn: true,
    });
  });

  it('derives nothing from a session that bought or never carted', () => {
    for (const row of [aConvertedSessionRow(), aSessionRow()]) {
      const session = aSession(row);
      expect(
        cartAbandonedOf(enrichSession(session, aProfile(), parseUserAgent(row.USER_AGENT))),
      ).toBeUndefined();
    }
  });
});
