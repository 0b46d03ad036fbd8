import { type DynamoDBDocumentClient, GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  Attribute,
  bucketOf,
  Entity,
  funnelKey,
  funnelPartition,
  PAGE_BUCKET_SORT_PREFIX,
  PAGE_BUCKETS,
  pagePartition,
  pageStatsKey,
  sessionSketchPartition,
} from './data-model.ts';
import { AggregateStoreError } from './errors.ts';
import { decodeBucketPages, type PageTotals } from './page-bucket.ts';
import { SessionSketch } from './session-sketch.ts';
import { dayOf, isMinute, type Minute, minuteOf, minuteStart } from './time-buckets.ts';
import { addPageTotals, rankTopPages } from './top-pages.ts';

const DAY_MS = 86_400_000;

const count = z.number().int().nonnegative().default(0);

const PageStatsItem = z.object({
  path: z.string(),
  views: count,
  clicks: count,
  addToCarts: count,
  purchases: count,
  revenueCents: count.transform((cents) => BigInt(cents)),
});

const FunnelItem = z.object({
  minute: z.string(),
  events: count,
  pageViews: count,
  clicks: count,
  searches: count,
  addToCarts: count,
  removeFromCarts: count,
  checkouts: count,
  purchases: count,
  revenueCents: count,
});

const SessionSketchItem = z.object({ [Attribute.Sketch]: z.instanceof(Uint8Array) });
const PageBucketItem = z.object({ [Attribute.Pages]: z.string() });

/** A minute's page items, buckets or overflow pages, folded into per-page totals. */
const addPageItem = (totals: Map<string, PageTotals>, item: Record<string, unknown>, only?: string): void => {
  if (item[Attribute.Entity] === Entity.PageBucket) {
    for (const [path, counts] of decodeBucketPages(PageBucketItem.parse(item).pages)) {
      if (only === undefined || path === only) addPageTotals(totals, path, counts);
    }
  } else if (item[Attribute.Entity] === Entity.PageStats) {
    const { path, ...counts } = PageStatsItem.parse(item);
    if (only === undefined || path === only) addPageTotals(totals, path, counts);
  }
};

/** A page's activity in one minute. */
export interface PageStats {
  readonly path: string;
  readonly minute: Minute;
  readonly views: number;
  readonly clicks: number;
  readonly addToCarts: number;
  readonly purchases: number;
  /** Revenue in the shop's currency (stored as integer cents). */
  readonly revenue: number;
}

/** The site's activity in one minute: every step of the funnel, and its unique sessions. */
export interface Funnel {
  readonly minute: Minute;
  readonly events: number;
  readonly pageViews: number;
  readonly clicks: number;
  readonly searches: number;
  readonly addToCarts: number;
  readonly removeFromCarts: number;
  readonly checkouts: number;
  readonly purchases: number;
  readonly revenue: number;
  readonly uniqueSessions: number;
}

const toPageStats = (path: string, minute: Minute, totals: PageTotals): PageStats => ({
  path,
  minute,
  views: totals.views,
  clicks: totals.clicks,
  addToCarts: totals.addToCarts,
  purchases: totals.purchases,
  revenue: Number(totals.revenueCents) / 100,
});

const assertMinute = (minute: string): void => {
  if (!isMinute(minute)) throw new RangeError(`${minute} is not a minute bucket (YYYY-MM-DDTHH:mmZ)`);
};

/**
 * The read side of the analytics table: the access patterns of docs/data-model.md. Used by
 * the demo and the dashboard; every read is a GetItem or a Query, never a Scan.
 */
export class AnalyticsReader {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  /**
   * A page's stats in a minute, or `undefined` when nothing happened there: the sum over the
   * buckets of its bucket partition (one Query of the buckets, at most one per source
   * partition) and its overflow item (a GetItem; docs/data-model.md).
   */
  async pageStats(path: string, minute: Minute): Promise<PageStats | undefined> {
    assertMinute(minute);
    const totals = new Map<string, PageTotals>();
    const [buckets, overflow] = await Promise.all([
      this.#query(pagePartition(minute, bucketOf(path)), { prefix: PAGE_BUCKET_SORT_PREFIX }),
      this.#get(pageStatsKey(path, minute)),
    ]);
    for (const item of [...buckets, ...(overflow === undefined ? [] : [overflow])])
      addPageItem(totals, item, path);
    const page = totals.get(path);
    return page === undefined ? undefined : toPageStats(path, minute, page);
  }

  /**
   * The `limit` most viewed pages of a minute, most viewed first: one Query per bucket
   * partition (eight), summed per page and ranked (top-pages.ts).
   */
  async topPages(minute: Minute, limit: number): Promise<PageStats[]> {
    assertMinute(minute);
    const totals = new Map<string, PageTotals>();
    const partitions = await Promise.all(
      Array.from({ length: PAGE_BUCKETS }, (_, bucket) => this.#query(pagePartition(minute, bucket))),
    );
    for (const item of partitions.flat()) addPageItem(totals, item);
    return rankTopPages(totals, limit).map(([path, page]) => toPageStats(path, minute, page));
  }

  /** A minute's funnel (GetItem) with its unique sessions (Query), or `undefined` if empty. */
  async funnel(minute: Minute): Promise<Funnel | undefined> {
    assertMinute(minute);
    const [item, uniqueSessions] = await Promise.all([
      this.#get(funnelKey(minute)),
      this.uniqueSessions(minute),
    ]);
    if (item === undefined) return undefined;
    const { revenueCents, ...counts } = FunnelItem.parse(item);
    return { ...counts, revenue: revenueCents / 100, uniqueSessions };
  }

  /**
   * The funnels of every minute from `from` to `to` (both included) that saw events: one
   * Query per UTC day. Unique sessions are not included (one more Query per minute).
   */
  async funnels(from: Minute, to: Minute): Promise<Omit<Funnel, 'uniqueSessions'>[]> {
    assertMinute(from);
    assertMinute(to);
    const funnels: Omit<Funnel, 'uniqueSessions'>[] = [];
    for (
      let midnight = minuteStart(`${dayOf(from)}T00:00Z`);
      midnight <= minuteStart(to);
      midnight += DAY_MS
    ) {
      const day = dayOf(minuteOf(midnight));
      for (const item of await this.#query(funnelPartition(day), {
        range: [`MINUTE#${from}`, `MINUTE#${to}`],
      })) {
        const { revenueCents, ...counts } = FunnelItem.parse(item);
        funnels.push({ ...counts, revenue: revenueCents / 100 });
      }
    }
    return funnels;
  }

  /**
   * The distinct sessions of a minute, estimated: the union of its per-partition session
   * sketches (a session seen on two partitions is counted once). Exact within a session or
   * two up to a few hundred sessions; ±3.3 % (one standard error) beyond a few thousand
   * (services/aggregation/session-sketch.ts).
   */
  async uniqueSessions(minute: Minute): Promise<number> {
    assertMinute(minute);
    let union = SessionSketch.empty();
    for (const item of await this.#query(sessionSketchPartition(minute))) {
      union = union.union(SessionSketch.fromBytes(SessionSketchItem.parse(item).sketch));
    }
    return union.estimate();
  }

  async #get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    try {
      const result = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: key }));
      return result.Item;
    } catch (error) {
      throw new AggregateStoreError(`read of ${key.pk} ${key.sk} failed`, { cause: error });
    }
  }

  async #query(
    pk: string,
    sort: { range?: readonly [from: string, to: string]; prefix?: string } = {},
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const { range, prefix } = sort;
    const keyCondition =
      range !== undefined
        ? {
            expression: 'pk = :pk AND sk BETWEEN :from AND :to',
            values: { ':from': range[0], ':to': range[1] },
          }
        : prefix !== undefined
          ? { expression: 'pk = :pk AND begins_with(sk, :prefix)', values: { ':prefix': prefix } }
          : { expression: 'pk = :pk', values: {} };
    try {
      for await (const page of paginateQuery(
        { client: this.#client },
        {
          TableName: this.#tableName,
          KeyConditionExpression: keyCondition.expression,
          ExpressionAttributeValues: { ':pk': pk, ...keyCondition.values },
        },
      )) {
        items.push(...(page.Items ?? []));
      }
    } catch (error) {
      throw new AggregateStoreError(`query of ${pk} failed`, { cause: error });
    }
    return items;
  }
}
