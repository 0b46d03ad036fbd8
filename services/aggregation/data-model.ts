import { createHash } from 'node:crypto';
import type { SourceId } from '../kafka/record.ts';
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
  PageStats: 'PageStats',
  Funnel: 'Funnel',
  SessionSketch: 'SessionSketch',
  TopPages: 'TopPages',
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
  /** A top-pages item's ranked rows (services/aggregation/top-pages.ts). */
  Pages: 'pages',
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

// A partition key is at most 2048 bytes; a page path may be 2048 characters. Long paths
// are keyed by a prefix plus a hash of the whole path; the `path` attribute keeps it all.
const MAX_PATH_KEY_BYTES = 1024;

const pathKey = (path: string): string => {
  if (Buffer.byteLength(path, 'utf8') <= MAX_PATH_KEY_BYTES) return path;
  const digest = createHash('sha256').update(path).digest('hex').slice(0, 16);
  return `${Buffer.from(path, 'utf8')
    .subarray(0, MAX_PATH_KEY_BYTES - 32)
    .toString('utf8')}~${digest}`;
};

/** A page's stats in a minute. */
export const pageStatsKey = (path: string, minute: Minute): ItemKey => ({
  pk: `PAGE#${pathKey(path)}`,
  sk: `MINUTE#${minute}`,
});

/** The most viewed pages of a minute (one item per minute). */
export const topPagesKey = (minute: Minute): ItemKey => ({ pk: `TOPPAGES#${minute}`, sk: 'TOP' });

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
