import { z } from 'zod';
import { Segment, type UserProfile } from '../profiles/index.ts';
import { sessionEventId } from './event-id.ts';
import type { Session } from './session-record.ts';
import { type ClientInfo, DeviceClass } from './user-agent.ts';

/** Version of the enriched event schemas below. */
export const ENRICHED_SCHEMA_VERSION = 1 as const;

/** The segment of a session whose user has no (valid) profile: enriched anyway, and counted. */
export const UNKNOWN_SEGMENT = 'unknown' as const;

/** The `type` of each event this service produces; also the name its id is derived from. */
export const EnrichedEventType = {
  SessionEnriched: 'session_enriched',
  CartAbandoned: 'cart_abandoned',
} as const;
export type EnrichedEventType = (typeof EnrichedEventType)[keyof typeof EnrichedEventType];

const EpochMillis = z.number().int().nonnegative();
const Count = z.number().int().nonnegative();
const DeviceClassSchema = z.enum(Object.values(DeviceClass) as [DeviceClass, ...DeviceClass[]]);

/** What the enrichment knows about who the user is; the same in both event types. */
const AudienceFields = {
  segment: z.union([Segment, z.literal(UNKNOWN_SEGMENT)]),
  /** ISO 3166-1 alpha-2, from the profile; `null` without one. */
  country: z.string().nullable(),
  marketingOptIn: z.boolean().nullable(),
  deviceClass: DeviceClassSchema,
};

/**
 * A closed session with everything known about it: the `clickstream-sessions-enriched`
 * topic's value (JSON, Kafka key = `userId`). Flat on purpose: ksqlDB reads each field as
 * a column (ksql/), and a flat record needs no STRUCT declarations there.
 */
export const EnrichedSessionSchema = z.strictObject({
  schemaVersion: z.literal(ENRICHED_SCHEMA_VERSION),
  /** Deterministic (see `sessionEventId`): duplicates from a retried batch share it. */
  eventId: z.uuid(),
  type: z.literal(EnrichedEventType.SessionEnriched),
  userId: z.string().min(1),
  /** Epoch milliseconds of the first and last event (the session window's bounds). */
  sessionStart: EpochMillis,
  sessionEnd: EpochMillis,
  durationMs: z.number().int().nonnegative(),
  events: Count,
  /** Different pages seen. */
  distinctPages: Count,
  pageViews: Count,
  addToCarts: Count,
  /** Orders placed (one purchase event is one order). */
  purchases: Count,
  /** Purchased value in the shop's currency, rounded to cents. */
  revenue: z.number().nonnegative(),
  /** A single-event session: the visitor left after one hit. */
  bounce: z.boolean(),
  /** At least one order. */
  converted: z.boolean(),
  /** The session ended with something in the cart and no purchase. */
  cartAbandoned: z.boolean(),
  /** What the abandoned cart held, in the shop's currency, rounded to cents; 0 unless `cartAbandoned`. */
  abandonedCartValue: z.number().nonnegative(),
  landingPage: z.string().nullable(),
  exitPage: z.string().nullable(),
  ...AudienceFields,
  signupDate: z.string().nullable(),
  deviceVendor: z.string().nullable(),
  deviceModel: z.string().nullable(),
  browserName: z.string().nullable(),
  browserVersion: z.string().nullable(),
  osName: z.string().nullable(),
  osVersion: z.string().nullable(),
});
export type EnrichedSession = z.infer<typeof EnrichedSessionSchema>;

/**
 * A session that ended with a cart and no purchase: the `clickstream-cart-abandoned`
 * topic's value (JSON, Kafka key = `userId`), for a re-engagement flow.
 */
export const CartAbandonedSchema = z.strictObject({
  schemaVersion: z.literal(ENRICHED_SCHEMA_VERSION),
  eventId: z.uuid(),
  type: z.literal(EnrichedEventType.CartAbandoned),
  userId: z.string().min(1),
  sessionStart: EpochMillis,
  sessionEnd: EpochMillis,
  /** The enriched session this event was derived from. */
  sessionEventId: z.uuid(),
  addToCarts: Count,
  exitPage: z.string().nullable(),
  ...AudienceFields,
});
export type CartAbandoned = z.infer<typeof CartAbandonedSchema>;

/** The facts derived from a session's aggregates alone. */
export interface SessionFacts {
  readonly durationMs: number;
  readonly bounce: boolean;
  readonly converted: boolean;
  readonly cartAbandoned: boolean;
  readonly revenue: number;
  readonly abandonedCartValue: number;
}

/** Derives duration, bounce, conversion, cart abandonment and revenue from a session. */
export const deriveFacts = (session: Session): SessionFacts => {
  const { row } = session;
  // Without removals reported, any add-to-cart counts as a cart still holding something.
  const cartHoldsItems = row.ADD_TO_CARTS > (row.REMOVE_FROM_CARTS ?? 0);
  const cartAbandoned = cartHoldsItems && row.PURCHASES === 0;
  return {
    durationMs: session.windowEnd - session.windowStart,
    bounce: row.EVENTS === 1,
    converted: row.PURCHASES > 0,
    cartAbandoned,
    revenue: Math.round(row.REVENUE * 100) / 100,
    abandonedCartValue: cartAbandoned ? Math.max(0, Math.round((row.CART_VALUE ?? 0) * 100) / 100) : 0,
  };
};

/**
 * Builds the enriched session from the session, the user's profile (`undefined` when the
 * user has none) and the parsed user agent. Pure: the same inputs give the same bytes.
 */
export const enrichSession = (
  session: Session,
  profile: UserProfile | undefined,
  client: ClientInfo,
): EnrichedSession => withProfile(describeSession(session, client), profile);

/**
 * Everything about a session that does not depend on its user's profile (the audience
 * fields say "unknown"); {@link withProfile} completes it. Split so that this part can be
 * computed while the profiles are being read.
 */
export const describeSession = (session: Session, client: ClientInfo): EnrichedSession => {
  const facts = deriveFacts(session);
  return {
    schemaVersion: ENRICHED_SCHEMA_VERSION,
    eventId: sessionEventId(EnrichedEventType.SessionEnriched, session.userId, session.windowStart),
    type: EnrichedEventType.SessionEnriched,
    userId: session.userId,
    sessionStart: session.windowStart,
    sessionEnd: session.windowEnd,
    durationMs: facts.durationMs,
    events: session.row.EVENTS,
    distinctPages: session.row.DISTINCT_PAGES,
    pageViews: session.row.PAGE_VIEWS,
    addToCarts: session.row.ADD_TO_CARTS,
    purchases: session.row.PURCHASES,
    revenue: facts.revenue,
    bounce: facts.bounce,
    converted: facts.converted,
    cartAbandoned: facts.cartAbandoned,
    abandonedCartValue: facts.abandonedCartValue,
    landingPage: session.row.ENTRY_PAGE ?? null,
    exitPage: session.row.EXIT_PAGE ?? null,
    segment: UNKNOWN_SEGMENT,
    country: null,
    marketingOptIn: null,
    signupDate: null,
    deviceClass: client.deviceClass,
    deviceVendor: client.deviceVendor,
    deviceModel: client.deviceModel,
    browserName: client.browserName,
    browserVersion: client.browserVersion,
    osName: client.osName,
    osVersion: client.osVersion,
  };
};

/** The enriched session with its user's profile; unchanged ("unknown") without one. */
export const withProfile = (described: EnrichedSession, profile: UserProfile | undefined): EnrichedSession =>
  profile === undefined
    ? described
    : {
        ...described,
        segment: profile.segment,
        country: profile.country,
        marketingOptIn: profile.marketingOptIn,
        signupDate: profile.signupDate,
      };

/** The cart-abandoned event of an enriched session, or `undefined` if its cart was not abandoned. */
export const cartAbandonedOf = (enriched: EnrichedSession): CartAbandoned | undefined =>
  enriched.cartAbandoned
    ? {
        schemaVersion: ENRICHED_SCHEMA_VERSION,
        eventId: sessionEventId(EnrichedEventType.CartAbandoned, enriched.userId, enriched.sessionStart),
        type: EnrichedEventType.CartAbandoned,
        userId: enriched.userId,
        sessionStart: enriched.sessionStart,
        sessionEnd: enriched.sessionEnd,
        sessionEventId: enriched.eventId,
        addToCarts: enriched.addToCarts,
        exitPage: enriched.exitPage,
        segment: enriched.segment,
        country: enriched.country,
        marketingOptIn: enriched.marketingOptIn,
        deviceClass: enriched.deviceClass,
      }
    : undefined;
