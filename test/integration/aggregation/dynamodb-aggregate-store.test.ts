import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  AggregateStoreError,
  AnalyticsReader,
  aggregateBatch,
  DynamoDbAggregateStore,
  MAX_BUCKET_RESERVED_BYTES,
} from '../../../services/aggregation/index.ts';
import { eventStream } from '../../support/aggregation/event-stream.ts';
import { testDependencies } from '../../support/aggregation/fakes.ts';
import { FaultyStore } from '../../support/aggregation/faulty-store.ts';
import { deliverWithRetries, seededRandom } from '../../support/aggregation/redelivery.ts';
import { referenceTotals } from '../../support/aggregation/reference-totals.ts';
import { aClickstreamEvent, anEventRecord } from '../../support/factories/clickstream-event.ts';
import { createTestTables, dynamoClient } from '../helpers.ts';
import { scannedTotals } from './dynamodb-totals.ts';

/** An item's size as DynamoDB counts it, about: names plus values (a number as ≤ 21 bytes). */
const approximateItemBytes = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce(
    (sum, [name, value]) =>
      sum +
      Buffer.byteLength(name) +
      (value instanceof Uint8Array
        ? value.byteLength
        : typeof value === 'number'
          ? 21
          : Buffer.byteLength(String(value))),
    0,
  );

/** A document client and a fresh analytics table for the current test. */
const freshTable = async () => {
  const client = dynamoClient();
  const documents = DynamoDBDocumentClient.from(client);
  onTestFinished(() => client.destroy());
  const { analytics } = await createTestTables(client);
  return { documents, table: analytics, store: new DynamoDbAggregateStore(documents, analytics) };
};

describe('aggregation on DynamoDB (dynalite)', () => {
  it('leaves exact counts when the same batch is applied twice', async () => {
    // Prepare
    const { documents, table, store } = await freshTable();
    const { events, partitions } = eventStream(400, 3);
    const batch = partitions.flat();
    const first = await aggregateBatch(batch, testDependencies(store));

    // Act
    const second = await aggregateBatch(batch, testDependencies(store));

    // Assert
    expect(await scannedTotals(documents, table)).toEqual(referenceTotals(events));
    expect(second.itemsAlreadyApplied).toBe(first.counterItems + first.pageBuckets);
  });

  it('leaves exact counts when a batch is redelivered cut differently (overlapping offsets)', async () => {
    // Prepare
    const { documents, table, store } = await freshTable();
    const { events, partitions } = eventStream(400, 3);
    await aggregateBatch(
      partitions.flatMap((records) => records.slice(0, 70)),
      testDependencies(store),
    );

    // Act
    await aggregateBatch(
      partitions.flatMap((records) => records.slice(0, 110)),
      testDependencies(store),
    );
    await aggregateBatch(
      partitions.flatMap((records) => records.slice(110)),
      testDependencies(store),
    );

    // Assert
    expect(await scannedTotals(documents, table)).toEqual(referenceTotals(events));
  });

  it('fails after writing half the items, then a retry leaves exact counts', async () => {
    // Prepare
    const { documents, table, store } = await freshTable();
    const { events, partitions } = eventStream(400, 3);
    const batch = partitions.flat();

    // Act
    const failed = aggregateBatch(batch, testDependencies(new FaultyStore(store, 15)));
    await expect(failed).rejects.toBeInstanceOf(AggregateStoreError);
    const halfWritten = await scannedTotals(documents, table);
    await aggregateBatch(batch, testDependencies(store));

    // Assert
    expect(halfWritten).not.toEqual(referenceTotals(events));
    expect(await scannedTotals(documents, table)).toEqual(referenceTotals(events));
  });

  it('leaves exact counts under random batch cuts and failures', async () => {
    // Prepare
    const { documents, table, store } = await freshTable();
    const { events, partitions } = eventStream(600, 3, 42);
    const random = seededRandom(42);

    // Act
    const failures = await deliverWithRetries(
      partitions,
      async (batch, attempt) => {
        await aggregateBatch(
          batch,
          testDependencies(attempt.fail ? new FaultyStore(store, Math.floor(random() * 10)) : store),
        );
      },
      { random, maxBatchPerPartition: 80, failureRate: 0.4 },
    );

    // Assert
    expect(failures).toBeGreaterThan(0);
    expect(await scannedTotals(documents, table)).toEqual(referenceTotals(events));
  });

  it('answers the read-side access patterns', async () => {
    // Prepare
    const { documents, table, store } = await freshTable();
    const at = Date.parse('2026-03-14T09:26:10Z');
    const events = [
      ...Array.from({ length: 5 }, (_, i) =>
        aClickstreamEvent({
          sessionId: `s-${i}`,
          eventTime: at,
          page: { path: '/a', title: 'A', referrer: null },
        }),
      ),
      ...Array.from({ length: 3 }, () =>
        aClickstreamEvent({
          sessionId: 's-1',
          eventTime: at,
          page: { path: '/b', title: 'B', referrer: null },
        }),
      ),
      aClickstreamEvent({
        type: 'purchase',
        sessionId: 's-9',
        eventTime: at,
        page: { path: '/c', title: 'C', referrer: null },
      }),
      aClickstreamEvent({ type: 'page_view', sessionId: 's-9', eventTime: at + 60_000 }),
    ];
    await aggregateBatch(
      events.map((event, offset) => anEventRecord(event, offset % 2, offset)),
      testDependencies(store),
    );
    const reader = new AnalyticsReader(documents, table);

    // Act
    const top = await reader.topPages('2026-03-14T09:26Z', 2);
    const page = await reader.pageStats('/c', '2026-03-14T09:26Z');
    const funnel = await reader.funnel('2026-03-14T09:26Z');
    const funnels = await reader.funnels('2026-03-14T09:00Z', '2026-03-14T09:30Z');
    const nothing = await reader.pageStats('/c', '2026-03-14T09:27Z');

    // Assert
    expect(top.map((stats) => [stats.path, stats.views])).toEqual([
      ['/a', 5],
      ['/b', 3],
    ]);
    expect(page).toEqual({
      path: '/c',
      minute: '2026-03-14T09:26Z',
      views: 0,
      clicks: 0,
      addToCarts: 0,
      purchases: 1,
      revenueCents: 5997n,
    });
    expect(funnel).toMatchObject({
      events: 9,
      pageViews: 8,
      purchases: 1,
      revenueCents: 5997n,
      uniqueSessions: 6,
    });
    expect(funnels.map((each) => [each.minute, each.events])).toEqual([
      ['2026-03-14T09:26Z', 9],
      ['2026-03-14T09:27Z', 1],
    ]);
    expect(nothing).toBeUndefined();
  });

  it('keeps every item bounded in the worst case: 20,000 invented 64-character sessions, 40 partitions, 2 KB paths', async () => {
    // Prepare: one minute, one page, sessions nobody would reuse, from more partitions than
    // one condition may name, plus pages whose paths are as long as the schema allows
    const { documents, table, store } = await freshTable();
    const at = Date.parse('2026-03-14T09:26:10Z');
    const longPaths = Array.from(
      { length: 12 },
      (_, i) => `/${String(i).padStart(2, '0')}${'p'.repeat(2045)}`,
    );
    const events = [
      ...Array.from({ length: 20_000 }, (_, i) =>
        aClickstreamEvent({ sessionId: `${i}`.padStart(64, 'x'), eventTime: at }),
      ),
      ...longPaths.map((path) =>
        aClickstreamEvent({ eventTime: at, page: { path, title: 'Long', referrer: null } }),
      ),
    ];
    const records = events.map((event, i) => anEventRecord(event, i % 40, Math.floor(i / 40)));

    // Act
    const summary = await aggregateBatch(records, testDependencies(store));

    // Assert: counted exactly, and no item near DynamoDB's 400 KB limit
    expect(summary.events).toBe(events.length);
    expect(await scannedTotals(documents, table)).toEqual(referenceTotals(events));
    let largest = 0;
    for await (const page of paginateScan(
      { client: documents },
      { TableName: table, ReturnConsumedCapacity: 'TOTAL' },
    )) {
      for (const item of page.Items ?? []) largest = Math.max(largest, approximateItemBytes(item));
    }
    expect(largest).toBeLessThan(8 * 1024);
    const funnel = await new AnalyticsReader(documents, table).funnel('2026-03-14T09:26Z');
    expect(Math.abs((funnel?.uniqueSessions ?? 0) - 20_001) / 20_001).toBeLessThan(0.1);
  });

  it('bounds a page bucket under a flood of distinct paths: the pages it cannot admit are counted in their own items, once', async () => {
    // Prepare: one partition, one minute, 600 distinct 2 KB paths (the schema's longest):
    // far more than the eight buckets of the minute admit
    const { documents, table, store } = await freshTable();
    const at = Date.parse('2026-03-14T09:26:10Z');
    const events = Array.from({ length: 600 }, (_, i) =>
      aClickstreamEvent({
        eventTime: at,
        page: { path: `/${String(i).padStart(4, '0')}${'q'.repeat(2040)}`, title: 'Flood', referrer: null },
      }),
    );
    const records = events.map((event, i) => anEventRecord(event, 0, i));

    // Act: the batch, then the same batch again cut in two (a redelivery)
    const first = await aggregateBatch(records, testDependencies(store));
    await aggregateBatch(records.slice(0, 250), testDependencies(store));
    await aggregateBatch(records.slice(250), testDependencies(store));

    // Assert: exact counts, some pages overflowed, and no bucket past its bound
    expect(first.overflowRecords).toBeGreaterThan(0);
    expect(first.overflowRecords).toBeLessThan(600);
    expect(await scannedTotals(documents, table)).toEqual(referenceTotals(events));
    let largestBucket = 0;
    for await (const page of paginateScan({ client: documents }, { TableName: table })) {
      for (const item of page.Items ?? []) {
        if (item.entity === 'PageBucket') largestBucket = Math.max(largestBucket, approximateItemBytes(item));
      }
    }
    expect(largestBucket).toBeGreaterThan(32 * 1024);
    expect(largestBucket).toBeLessThanOrEqual(MAX_BUCKET_RESERVED_BYTES + 1024);
  });
});
