import { createHash } from 'node:crypto';
import type { SourceId } from '../kafka/record.ts';
import { boundedKeyPart, DynamoDbLimits } from '../limits/index.ts';
import { dayOf, type Minute } from './time-buckets.ts';

/**
 * The single-table layout of the analytics table (resources/dynamodb-tables.yml,
 * documented in docs/data-model.md). Every key the code writes or reads is built here.
 */

/** The primary key of an item. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** The `entity` attribute: which kind of item a row is. */
export const Entity = {
  /** Many pages of a minute seen on one source partition (services/aggregation/page-bucket.ts). */
  PageBucket: 'PageBucket',
  /** One page of a minute that its bucket could not admit (the overflow). */
  PageStats: 'PageStats',
  Funnel: 'Funnel',
  SessionSketch: 'SessionSketch',
} as const;
export type Entity = (typeof Entity)[keyof typeof Entity];

/** Counters of a page in a minute. Revenue is in integer cents so that sums stay exact. */
export const PAGE_COUNTERS = ['views', 'clicks', 'addToCarts', 'purchases', 'revenueCents'] as const;
export type PageCounter = (typeof PAGE_COUNTERS)[number];

/** Counters of the whole site in a minute: every event type (the funnel steps) and revenue. */
export const FUNNEL_COUNTERS = [
  'events',
  'pageViews',
  'clicks',
  'searches',
  'addToCarts',
  'removeFromCarts',
  'checkouts',
  'purchases',
  'revenueCents',
] as const;
export type FunnelCounter = (typeof FUNNEL_COUNTERS)[number];

/** Attributes shared by the item kinds, besides counters and watermarks. */
export const Attribute = {
  Entity: 'entity',
  Minute: 'minute',
  Path: 'path',
  ExpiresAt: 'expiresAt',
  /** A session sketch's packed registers (binary, services/aggregation/session-sketch.ts). */
  Sketch: 'sketch',
  /** A page bucket's rows (services/aggregation/page-bucket.ts). */
  Pages: 'pages',
  /** A page bucket's watermark: the highest offset of its source partition applied. */
  Watermark: 'wm',
  /** The version a read-modify-write item was written at; its next write is conditioned on it. */
  Version: 'version',
} as const;

/**
 * Watermark attributes are top-level (`wm:<topic>-<partition>`), not a map: an update
 * expression can SET a top-level attribute on an item that does not exist yet, whereas
 * SET on a path inside a missing map fails.
 */
export const WATERMARK_PREFIX = 'wm:';

/** The attribute holding an item's watermark for one source partition. */
export const watermarkAttribute = (source: SourceId): string => `${WATERMARK_PREFIX}${source}`;

/**
 * Buckets a minute's pages are spread over, per source partition. Each is its own partition
 * key, so the writes of a minute's pages spread over eight keys (DynamoDB serves at most
 * 1,000 WCU/s per partition key: docs/scaling.md), and a page is read from one of them.
 */
export const PAGE_BUCKETS = 8;

/** Which bucket a page belongs to: from a hash of its path, the same on every partition. */
export const bucketOf = (path: string): number =>
  createHash('sha256').update(path).digest().readUInt32BE(0) % PAGE_BUCKETS;

/** The partition holding bucket `bucket` of a minute: every partition's, and its overflow pages. */
export const pagePartition = (minute: Minute, bucket: number): string => `PAGES#${minute}#${bucket}`;

/** The bucket of a minute's pages seen on one source partition. */
export const pageBucketKey = (minute: Minute, bucket: number, source: SourceId): ItemKey => ({
  pk: pagePartition(minute, bucket),
  sk: `${PAGE_BUCKET_SORT_PREFIX}${source}`,
});

/** Sort keys of page buckets start with this; overflow page items with {@link PAGE_SORT_PREFIX}. */
export const PAGE_BUCKET_SORT_PREFIX = 'SOURCE#';
export const PAGE_SORT_PREFIX = 'PAGE#';

/**
 * A page's own item in a minute: where its counts go when its bucket does not admit it. The
 * sort key holds the path when it fits in DynamoDB's 1,024 bytes of UTF-8 for a sort key
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-partition-sort-keys),
 * else a prefix of it and a digest of all of it (services/limits/bounded-string.ts); the
 * `path` attribute keeps the whole path (at most 2,048 characters, the event schema's bound).
 */
export const pageStatsKey = (path: string, minute: Minute): ItemKey => ({
  pk: pagePartition(minute, bucketOf(path)),
  sk: `${PAGE_SORT_PREFIX}${boundedKeyPart(path, DynamoDbLimits.sortKeyBytes - PAGE_SORT_PREFIX.length)}`,
});

/** The site-wide funnel of a minute; one partition per day so a time range is one Query. */
export const funnelKey = (minute: Minute): ItemKey => ({
  pk: funnelPartition(dayOf(minute)),
  sk: `MINUTE#${minute}`,
});

/** The partition holding the funnels of a UTC day. */
export const funnelPartition = (day: string): string => `FUNNEL#${day}`;

/** The sketch of the sessions seen in a minute on one source partition. */
export const sessionSketchKey = (minute: Minute, source: SourceId): ItemKey => ({
  pk: sessionSketchPartition(minute),
  sk: `SOURCE#${source}`,
});

/** The partition holding a minute's session sketches. */
export const sessionSketchPartition = (minute: Minute): string => `SESSIONS#${minute}`;

/**
 * Source partitions one conditional update covers at most. The condition names one watermark
 * per partition (≈ 50 bytes each), and DynamoDB caps an expression at 4 KB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters);
 * an item touched by more partitions in one batch is written in several updates, each with
 * its own partitions' condition (they are independent, see docs/effectively-once.md).
 */
export const MAX_SOURCES_PER_UPDATE = 16;
