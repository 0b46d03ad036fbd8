import { z } from 'zod';

/**
 * The clickstream event, version 1: one thing a web user did on the shop.
 *
 * This schema is the contract between the load generator (producer), the Lambda
 * functions and the ksql statements (ksql/): the JSON field names here are the columns
 * ksqlDB reads. Kafka key = `userId`, so all of one user's events land on one partition
 * in order (per-user ordering is what session windows need).
 */
export const SCHEMA_VERSION = 1 as const;

/**
 * The latest instant an event may carry: 9999-12-31T23:59:59.999Z. JavaScript dates reach
 * year 275760, but ISO-8601 minute keys and DynamoDB TTL values are only well-formed up to
 * year 9999; past it every time bucket of the event would be malformed.
 */
export const MAX_EVENT_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const EVENT_TYPES = [
  'page_view',
  'click',
  'search',
  'add_to_cart',
  'remove_from_cart',
  'checkout',
  'purchase',
] as const;

export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

/** Event types that concern one product and must carry `product`. */
export const PRODUCT_EVENT_TYPES: ReadonlySet<EventType> = new Set([
  'add_to_cart',
  'remove_from_cart',
  'purchase',
]);

export const PageSchema = z.strictObject({
  path: z.string().min(1).max(2048).startsWith('/'),
  title: z.string().max(512),
  referrer: z.string().max(2048).nullable(),
});

export const ProductSchema = z.strictObject({
  id: z.string().min(1).max(64),
  category: z.string().min(1).max(64),
  /** Unit price in the shop's currency, two decimals. */
  price: z.number().nonnegative().max(1_000_000),
  quantity: z.number().int().positive().max(1000),
});

export const UtmSchema = z.strictObject({
  source: z.string().max(128).nullable(),
  medium: z.string().max(128).nullable(),
  campaign: z.string().max(128).nullable(),
});

export const ClickstreamEventSchema = z
  .strictObject({
    schemaVersion: z.literal(SCHEMA_VERSION),
    eventId: z.uuid(),
    type: EventType,
    userId: z.string().min(1).max(64),
    sessionId: z.string().min(1).max(64),
    /** Epoch milliseconds: the event-time ksqlDB windows on (`TIMESTAMP='eventTime'`). */
    eventTime: z.number().int().nonnegative().max(MAX_EVENT_TIME),
    page: PageSchema,
    product: ProductSchema.nullable(),
    /** Search terms, for `search` events. */
    query: z.string().max(256).nullable(),
    userAgent: z.string().min(1).max(1024),
    ip: z.union([z.ipv4(), z.ipv6()]),
    utm: UtmSchema,
  })
  .superRefine((event, ctx) => {
    if (PRODUCT_EVENT_TYPES.has(event.type) && event.product === null) {
      ctx.addIssue({ code: 'custom', path: ['product'], message: `a ${event.type} event needs a product` });
    }
    if (event.type === 'search' && event.query === null) {
      ctx.addIssue({ code: 'custom', path: ['query'], message: 'a search event needs a query' });
    }
  });

export type ClickstreamEvent = z.infer<typeof ClickstreamEventSchema>;
