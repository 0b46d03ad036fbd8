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
  SessionSet: 'SessionSet',
} as const;
export type Entity = (typeof Entity)[keyof typeof Entity];

/** The global secondary index ranking a minute's pages by views. */
export const TOP_PAGES_INDEX = 'gsi1';

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
  Gsi1Pk: 'gsi1pk',
  Gsi1Sk: 'gsi1sk',
  Sessions: 'sessions',
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

/** The GSI partition holding the pages of a minute, sorted by views. */
export const topPagesPartition = (minute: Minute): string => `MINUTE#${minute}`;

/** The site-wide funnel of a minute; one partition per day so a time range is one Query. */
export const funnelKey = (minute: Minute): ItemKey => ({
  pk: funnelPartition(dayOf(minute)),
  sk: `MINUTE#${minute}`,
});

/** The partition holding the funnels of a UTC day. */
export const funnelPartition = (day: string): string => `FUNNEL#${day}`;

/** The session ids seen in a minute from one source partition. */
export const sessionSetKey = (minute: Minute, source: SourceId): ItemKey => ({
  pk: sessionSetPartition(minute),
  sk: `SOURCE#${source}`,
});

/** The partition holding a minute's session sets. */
export const sessionSetPartition = (minute: Minute): string => `SESSIONS#${minute}`;
