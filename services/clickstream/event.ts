import { z } from 'zod';

/**
 * The clickstream event, version 2: one thing a web user did on the shop. Version 2 made a
 * `purchase` one order (its lines in `order`) where version 1 sent one purchase per cart line.
 *
 * This schema is the contract between the load generator (producer), the Lambda
 * functions and the ksql statements (ksql/): the JSON field names here are the columns
 * ksqlDB reads. Kafka key = `userId`, so all of one user's events land on one partition
 * in order (per-user ordering is what session windows need).
 */
export const SCHEMA_VERSION = 2 as const;

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
export const PRODUCT_EVENT_TYPES: ReadonlySet<EventType> = new Set(['add_to_cart', 'remove_from_cart']);

/**
 * The most lines one order may carry: a bound on the event's size (an order of this many
 * lines stays well under the codec's 16 KiB limit) and on the work one record costs.
 */
export const MAX_ORDER_LINES = 50;

/**
 * The most one order may come to, in cents: {@link MAX_ORDER_LINES} lines of the schema's
 * largest quantity (1,000) at its largest unit price (1,000,000.00). 5·10^12, far below 2^53,
 * so one order's cents are an exact JavaScript number; sums of many are added in BigInt or
 * by DynamoDB (services/aggregation/batch-aggregate.ts, page-bucket.ts).
 */
export const MAX_ORDER_CENTS = MAX_ORDER_LINES * 1000 * 100_000_000;

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

/** One line of an order: a product, how many, and what one cost. */
export const OrderLineSchema = z.strictObject({
  productId: z.string().min(1).max(64),
  quantity: z.number().int().positive().max(1000),
  /** Unit price in the shop's currency, two decimals. */
  unitPrice: z.number().nonnegative().max(1_000_000),
});
export type OrderLine = z.infer<typeof OrderLineSchema>;

/** Integer cents of an amount in the shop's currency (prices have two decimals). */
export const toCents = (amount: number): number => Math.round(amount * 100);

/** What the lines of an order come to, in integer cents: exact, whatever the order of the lines. */
export const linesRevenueCents = (lines: readonly OrderLine[]): number =>
  lines.reduce((sum, line) => sum + toCents(line.unitPrice) * line.quantity, 0);

/**
 * The order a `purchase` event carries. `quantity` and `revenue` are the sums over `lines`,
 * sent along so that consumers without array functions (the ksql statements) read them as
 * plain columns; the schema holds them to the lines, to the cent.
 */
export const OrderSchema = z
  .strictObject({
    lines: z.array(OrderLineSchema).min(1).max(MAX_ORDER_LINES),
    /** Units over all lines. */
    quantity: z.number().int().positive(),
    /** Σ quantity × unit price over the lines, in the shop's currency, two decimals. */
    revenue: z.number().nonnegative(),
  })
  .superRefine((order, ctx) => {
    const ids = new Set(order.lines.map((line) => line.productId));
    if (ids.size !== order.lines.length) {
      ctx.addIssue({ code: 'custom', path: ['lines'], message: 'an order has one line per product' });
    }
    const quantity = order.lines.reduce((sum, line) => sum + line.quantity, 0);
    if (order.quantity !== quantity) {
      ctx.addIssue({
        code: 'custom',
        path: ['quantity'],
        message: `the lines add up to ${quantity} units, not ${order.quantity}`,
      });
    }
    const cents = linesRevenueCents(order.lines);
    if (toCents(order.revenue) !== cents) {
      ctx.addIssue({
        code: 'custom',
        path: ['revenue'],
        message: `the lines come to ${(cents / 100).toFixed(2)}, not ${order.revenue}`,
      });
    }
  });
export type Order = z.infer<typeof OrderSchema>;

/** The order of `lines`, with its quantity and revenue derived from them. */
export const orderOf = (lines: readonly OrderLine[]): Order => ({
  lines: [...lines],
  quantity: lines.reduce((sum, line) => sum + line.quantity, 0),
  revenue: linesRevenueCents(lines) / 100,
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
    /** The product of an `add_to_cart` / `remove_from_cart`; null on a `purchase`. */
    product: ProductSchema.nullable(),
    /** The order of a `purchase`; null otherwise. */
    order: OrderSchema.nullable(),
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
    if (event.type === 'purchase' && event.product !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['product'],
        message: 'a purchase event has no product: its products are the lines of its order',
      });
    }
    if (event.type === 'purchase' && event.order === null) {
      ctx.addIssue({ code: 'custom', path: ['order'], message: 'a purchase event needs an order' });
    }
    if (event.type !== 'purchase' && event.order !== null) {
      ctx.addIssue({ code: 'custom', path: ['order'], message: `a ${event.type} event has no order` });
    }
    if (event.type === 'search' && event.query === null) {
      ctx.addIssue({ code: 'custom', path: ['query'], message: 'a search event needs a query' });
    }
  });

export type ClickstreamEvent = z.infer<typeof ClickstreamEventSchema>;
