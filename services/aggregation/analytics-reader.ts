import { type AttributeValue, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import { DynamoDbLimits } from '../limits/index.ts';
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

/**
 * Numbers are read as their decimal text (see {@link readItem}), so a counter DynamoDB holds
 * to 38 digits reaches the schema whole. Counts of records stay numbers (they cannot pass
 * 2^53); revenue in cents becomes a BigInt.
 */
const digits = z
  .string()
  .regex(new RegExp(`^\\d{1,${DynamoDbLimits.numberDigits}}$`))
  .default('0');
const count = digits.transform(Number).refine(Number.isSafeInteger, 'a count past 2^53');
const cents = digits.transform((text) => BigInt(text));

const PageStatsItem = z.object({
  path: z.string(),
  views: count,
  clicks: count,
  addToCarts: count,
  purchases: count,
  revenueCents: cents,
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
  revenueCents: cents,
});

const SessionSketchItem = z.object({ [Attribute.Sketch]: z.instanceof(Uint8Array) });
const PageBucketItem = z.object({ [Attribute.Pages]: z.string() });

/**
 * An item with every number kept as its decimal text. The document client converts numbers
 * to JavaScript numbers and refuses one past 2^53; DynamoDB holds up to 38 digits
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number),
 * and a minute's revenue in cents gets there, so the reader unmarshals the raw answer itself.
 */
const readItem = (item: Record<string, AttributeValue>): Record<string, unknown> =>
  unmarshall(item, { wrapNumbers: (text: string) => text });

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
  /** Revenue in integer cents of the shop's currency, exact at any size (money.ts). */
  readonly revenueCents: bigint;
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
  /** Revenue in integer cents of the shop's currency, exact at any size (money.ts). */
  readonly revenueCents: bigint;
  readonly uniqueSessions: number;
}

const toPageStats = (path: string, minute: Minute, totals: PageTotals): PageStats => ({
  path,
  minute,
  views: totals.views,
  clicks: totals.clicks,
  addToCarts: totals.addToCarts,
  purchases: totals.purchases,
  revenueCents: totals.revenueCents,
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
    return { ...FunnelItem.parse(item), uniqueSessions };
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
        funnels.push(FunnelItem.parse(item));
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
      const result = await this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }),
      );
      return result.Item === undefined ? undefined : readItem(result.Item);
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
            values: { ':from': { S: range[0] }, ':to': { S: range[1] } },
          }
        : prefix !== undefined
          ? { expression: 'pk = :pk AND begins_with(sk, :prefix)', values: { ':prefix': { S: prefix } } }
          : { expression: 'pk = :pk', values: {} };
    try {
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: keyCondition.expression,
            ExpressionAttributeValues: { ':pk': { S: pk }, ...keyCondition.values },
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        );
        items.push(...(page.Items ?? []).map(readItem));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    } catch (error) {
      throw new AggregateStoreError(`query of ${pk} failed`, { cause: error });
    }
    return items;
  }
}
