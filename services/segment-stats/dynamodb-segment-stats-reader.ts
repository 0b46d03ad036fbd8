import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { dayOf, type Minute, minuteOf } from '../aggregation/index.ts';
import { SegmentStatsReadError } from './errors.ts';
import { segmentStatsPartition } from './segment-stats.ts';
import type { SegmentStats, SegmentStatsReader } from './segment-stats-reader.ts';

const count = z.number().int().nonnegative().default(0);

/** A segment-statistics item of the analytics table (format: docs/dashboard.md). */
const SegmentStatsItem = z.object({
  windowStart: z.string(),
  segment: z.string().min(1),
  /** Written by the segment-stats function (services/enrichment/segment-stats.ts). */
  deviceClass: z.string().min(1),
  sessions: count,
  conversions: count,
  revenueCents: count,
  abandonedCarts: count,
  abandonedCartCents: count,
});

const DAY_MS = 86_400_000;

/**
 * Reads segment statistics from the analytics table: one Query per UTC day of the range,
 * the same one-partition-per-day layout as the funnel items.
 */
export class DynamoDbSegmentStatsReader implements SegmentStatsReader {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async segmentStats(from: Minute, to: Minute): Promise<SegmentStats[]> {
    const rows: SegmentStats[] = [];
    for (let at = Date.parse(`${dayOf(from)}T00:00Z`); at <= Date.parse(to); at += DAY_MS) {
      const partition = segmentStatsPartition(dayOf(minuteOf(at)));
      for (const item of await this.#query(partition, `WINDOW#${from}`, `WINDOW#${to}~`)) {
        const parsed = SegmentStatsItem.safeParse(item);
        if (!parsed.success) {
          throw new SegmentStatsReadError(
            `an item of ${partition} is not a segment-statistics item: ${parsed.error.issues[0]?.message}`,
            { cause: parsed.error },
          );
        }
        const { conversions, revenueCents, abandonedCartCents, deviceClass, ...rest } = parsed.data;
        rows.push({
          ...rest,
          device: deviceClass,
          converted: conversions,
          revenue: revenueCents / 100,
          abandonedCartValue: abandonedCartCents / 100,
        });
      }
    }
    return rows;
  }

  async #query(pk: string, fromSk: string, toSk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    try {
      for await (const page of paginateQuery(
        { client: this.#client },
        {
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': fromSk, ':to': toSk },
        },
      )) {
        items.push(...(page.Items ?? []));
      }
    } catch (error) {
      throw new SegmentStatsReadError(`query of ${pk} in ${this.#tableName} failed`, { cause: error });
    }
    return items;
  }
}
