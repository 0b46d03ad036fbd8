import { z } from 'zod';
import { type Minute, minuteOf } from '../aggregation/index.ts';
import { boundedKeyPart, utf8Prefix, wellFormed } from '../limits/index.ts';

// ksqlDB writes BIGINT and DOUBLE as JSON numbers: past 2^53 JSON.parse has already rounded
// them, so such a row is invalid (dead-lettered), never written as a rounded number.
const Count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const EpochMillis = z.number().int().nonnegative();

/**
 * The value of a row on the segment-stats topic: the JSON ksqlDB writes for the 5-minute
 * TUMBLING aggregation over enriched sessions (ksql/V000006__sessions_enriched.sql). Every
 * row carries the window's running totals (EMIT CHANGES), so the latest row is the truth.
 */
export const SegmentStatsRowSchema = z.object({
  CUSTOMER_SEGMENT: z.string().min(1),
  DEVICE_CLASS: z.string().min(1),
  SESSIONS: Count.min(1),
  CONVERSIONS: Count,
  ABANDONED_CARTS: Count,
  /** In the shop's currency; its cents must be an exact number. */
  REVENUE: z
    .number()
    .nonnegative()
    .max(Number.MAX_SAFE_INTEGER / 100),
  /** What the window's abandoned carts held; older statements lack it (then 0). */
  ABANDONED_CART_VALUE: z
    .number()
    .nonnegative()
    .max(Number.MAX_SAFE_INTEGER / 100)
    .default(0),
  CONVERSION_RATE: z.number().min(0).max(1),
  WINDOW_START: EpochMillis,
  WINDOW_END: EpochMillis,
});
export type SegmentStatsRow = z.infer<typeof SegmentStatsRowSchema>;

/** The `entity` attribute of a segment-stats item in the analytics table. */
export const SEGMENT_STATS_ENTITY = 'SegmentStats' as const;

/**
 * One segment × device class × 5-minute window in the analytics table. Keys: one partition
 * per UTC day (`SEGMENTS#<day>`), so a dashboard reads a day in one Query; the sort key
 * orders by window, then segment, then device.
 */
export interface SegmentStatsItem {
  readonly pk: string;
  readonly sk: string;
  readonly entity: typeof SEGMENT_STATS_ENTITY;
  /** ISO-8601 UTC. */
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly segment: string;
  readonly deviceClass: string;
  readonly sessions: number;
  readonly conversions: number;
  readonly abandonedCarts: number;
  /** Integer cents, as every money amount in the analytics table. */
  readonly revenueCents: number;
  /** What the abandoned carts held, integer cents. */
  readonly abandonedCartCents: number;
  readonly conversionRate: number;
  /** The segment-stats record this item was written from: `<topic>-<partition>` and offset. */
  readonly source: string;
  readonly sourceOffset: number;
  /** Epoch seconds, for DynamoDB TTL. */
  readonly expiresAt: number;
}

/** The partition of a UTC day's segment statistics. */
export const segmentStatsPartition = (day: string): string => `SEGMENTS#${day}`;

/**
 * Bytes of a segment's or device's part of the sort key at most: the two parts and the window
 * stay within DynamoDB's 1,024 bytes for a sort key
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-partition-sort-keys);
 * a longer name is keyed by a prefix and a digest (services/limits/bounded-string.ts).
 */
const MAX_NAME_KEY_BYTES = 448;

/** Bytes of the readable `segment` / `deviceClass` attributes at most: the item stays small. */
const MAX_NAME_ATTRIBUTE_BYTES = 1024;

/** The sort key of one window's row for a segment and device. */
export const segmentStatsSortKey = (windowStart: Minute, segment: string, device: string): string =>
  `WINDOW#${windowStart}#SEGMENT#${boundedKeyPart(segment, MAX_NAME_KEY_BYTES)}#DEVICE#${boundedKeyPart(device, MAX_NAME_KEY_BYTES)}`;

/** Builds the item of a segment-stats row read from `source` at `offset`. */
export const segmentStatsItem = (
  row: SegmentStatsRow,
  source: { readonly id: string; readonly offset: number },
  retentionDays: number,
): SegmentStatsItem => {
  // Minute-precision ISO times, the analytics table's time format (services/aggregation):
  // readers range over sort keys with the same format.
  const windowStart = minuteOf(row.WINDOW_START);
  return {
    pk: segmentStatsPartition(windowStart.slice(0, 10)),
    sk: segmentStatsSortKey(windowStart, row.CUSTOMER_SEGMENT, row.DEVICE_CLASS),
    entity: SEGMENT_STATS_ENTITY,
    windowStart,
    windowEnd: minuteOf(row.WINDOW_END),
    segment: utf8Prefix(wellFormed(row.CUSTOMER_SEGMENT), MAX_NAME_ATTRIBUTE_BYTES),
    deviceClass: utf8Prefix(wellFormed(row.DEVICE_CLASS), MAX_NAME_ATTRIBUTE_BYTES),
    sessions: row.SESSIONS,
    conversions: row.CONVERSIONS,
    abandonedCarts: row.ABANDONED_CARTS,
    revenueCents: Math.round(row.REVENUE * 100),
    abandonedCartCents: Math.round(row.ABANDONED_CART_VALUE * 100),
    conversionRate: row.CONVERSION_RATE,
    source: source.id,
    sourceOffset: source.offset,
    expiresAt: Math.floor(row.WINDOW_END / 1000) + retentionDays * 86_400,
  };
};

/** What a conditional write did. */
export const PutOutcome = {
  Written: 'written',
  /** The item already holds this record or a later one of the same source: nothing to do. */
  Stale: 'stale',
} as const;
export type PutOutcome = (typeof PutOutcome)[keyof typeof PutOutcome];

/**
 * The port segment statistics are written through. `put` replaces the item unless it was
 * written from a later (or the same) offset of the same source partition, so redelivered
 * or reordered rows never move totals backwards.
 */
export interface SegmentStatsStore {
  put(item: SegmentStatsItem): Promise<PutOutcome>;
}
