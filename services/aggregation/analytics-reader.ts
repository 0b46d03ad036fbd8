import { type DynamoDBDocumentClient, GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  Attribute,
  funnelKey,
  funnelPartition,
  pageStatsKey,
  sessionSketchPartition,
  topPagesKey,
} from './data-model.ts';
import { AggregateStoreError } from './errors.ts';
import { SessionSketch } from './session-sketch.ts';
import { dayOf, isMinute, type Minute, minuteOf, minuteStart } from './time-buckets.ts';
import { decodeTopPages } from './top-pages.ts';

const DAY_MS = 86_400_000;

const count = z.number().int().nonnegative().default(0);

const PageStatsItem = z.object({
  path: z.string(),
  minute: z.string(),
  views: count,
  clicks: count,
  addToCarts: count,
  purchases: count,
  revenueCents: count,
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
const TopPagesItem = z.object({ [Attribute.Pages]: z.string() });

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

const toPageStats = (item: z.infer<typeof PageStatsItem>): PageStats => ({
  path: item.path,
  minute: item.minute,
  views: item.views,
  clicks: item.clicks,
  addToCarts: item.addToCarts,
  purchases: item.purchases,
  revenue: item.revenueCents / 100,
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

  /** A page's stats in a minute (GetItem), or `undefined` when nothing happened there. */
  async pageStats(path: string, minute: Minute): Promise<PageStats | undefined> {
    assertMinute(minute);
    const item = await this.#get(pageStatsKey(path, minute));
    return item === undefined ? undefined : toPageStats(PageStatsItem.parse(item));
  }

  /**
   * The `limit` (at most 10) most viewed pages of a minute, most viewed first: one GetItem
   * of the minute's top-pages item. A path longer than 128 bytes is shown cut (`…`).
   */
  async topPages(minute: Minute, limit: number): Promise<PageStats[]> {
    assertMinute(minute);
    const item = await this.#get(topPagesKey(minute));
    if (item === undefined) return [];
    return decodeTopPages(TopPagesItem.parse(item).pages)
      .slice(0, limit)
      .map(({ path, counters }) => toPageStats({ path, minute, ...counters }));
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
      for (const item of await this.#query(funnelPartition(day), `MINUTE#${from}`, `MINUTE#${to}`)) {
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

  async #query(pk: string, fromSk?: string, toSk?: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const range = fromSk !== undefined && toSk !== undefined;
    try {
      for await (const page of paginateQuery(
        { client: this.#client },
        {
          TableName: this.#tableName,
          KeyConditionExpression: range ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk',
          ExpressionAttributeValues: range ? { ':pk': pk, ':from': fromSk, ':to': toSk } : { ':pk': pk },
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
