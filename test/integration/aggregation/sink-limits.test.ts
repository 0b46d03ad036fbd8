import { createHash } from 'node:crypto';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it, onTestFinished, vi } from 'vitest';
import { buildSnapshot, DEFAULT_SNAPSHOT_SETTINGS } from '../../../dashboard/build-snapshot.ts';
import { SnapshotSchema } from '../../../dashboard/snapshot.ts';
import {
  AnalyticsReader,
  bucketOf,
  decimalOfCents,
  decodeBucketPages,
  funnelKey,
  MAX_BUCKET_RESERVED_BYTES,
  reservedBytes,
} from '../../../services/aggregation/index.ts';
import {
  type ClickstreamEvent,
  DecodeFailure,
  MAX_ORDER_CENTS,
  MAX_ORDER_LINES,
  orderOf,
} from '../../../services/clickstream/index.ts';
import { DeadLetterCutHeader, DeadLetterHeader } from '../../../services/dead-letter/index.ts';
import { DynamoDbLimits } from '../../../services/limits/index.ts';
import {
  aClickstreamEvent,
  anEventRecord,
  aSourceRecord,
} from '../../support/factories/clickstream-event.ts';
import { anEsmEvent } from '../../support/factories/esm-event.ts';
import { mentions, refuseWrites } from '../../support/fakes/refused-writes.ts';
import { createTestTables, createTestTopic, dynamoClient, testBrokers } from '../helpers.ts';
import { readTopic } from './read-topic.ts';

/**
 * The five ways a schema-valid input once stalled a partition or lost a record at a sink's
 * limit (issue 23), through the real function module against the real broker and dynalite:
 * each ends with every record counted or dead-lettered and the batch succeeding, so the
 * mapping commits and the partition moves on.
 */

const MINUTE = '2026-03-14T09:26Z';

const coldStart = async (dlqConfigs?: Readonly<Record<string, string>>) => {
  const deadLetterTopic = await createTestTopic(1, 'dlq', dlqConfigs);
  const { analytics } = await createTestTables(dynamoClient());
  vi.stubEnv('ANALYTICS_TABLE', analytics);
  vi.stubEnv('DLQ_TOPIC', deadLetterTopic);
  vi.stubEnv('KAFKA_BROKERS', testBrokers().join(','));
  vi.stubEnv('DYNAMODB_ENDPOINT', inject('dynamodbEndpoint'));
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.resetModules();
  const { handler } = await import('../../../functions/aggregate-events/handler.ts');
  const { kafkaProducer } = await import('../../../functions/commons/clients/kafka.ts');
  const { documentClient } = await import('../../../functions/commons/clients/dynamodb.ts');
  onTestFinished(async () => {
    await kafkaProducer.disconnect();
    documentClient.destroy();
    vi.unstubAllEnvs();
  });
  return {
    handler,
    reader: new AnalyticsReader(documentClient, analytics),
    analytics,
    deadLetterTopic,
    documentClient,
  };
};

/** Distinct paths of `length` characters that all hash to `bucket`, enough to fill it. */
const pathsFillingBucket = (bucket: number, length: number): string[] => {
  const paths: string[] = [];
  let reserved = 0;
  for (let i = 0; reserved < MAX_BUCKET_RESERVED_BYTES; i += 1) {
    const path = `/${String(i).padStart(length - 1, 'f')}`;
    if (bucketOf(path) !== bucket) continue;
    paths.push(path);
    reserved += reservedBytes(path);
  }
  return paths;
};

const pageViews = (paths: readonly string[], from = 0) =>
  paths.map((path, i) =>
    anEventRecord(aClickstreamEvent({ page: { path, title: 't', referrer: null } }), 0, from + i),
  );

/** A purchase of the largest order the schema admits (MAX_ORDER_CENTS) on `path`. */
const maximumPurchase = (path: string): ClickstreamEvent =>
  aClickstreamEvent({
    type: 'purchase',
    order: orderOf(
      Array.from({ length: MAX_ORDER_LINES }, (_, i) => ({
        productId: `p-${i}`,
        quantity: 1000,
        unitPrice: 1_000_000,
      })),
    ),
    page: { path, title: 'b', referrer: null },
  });

/** 2,000 maximum purchases on `path` from offset `from`, in two batches: past 2^53 cents in the second. */
const purchasesPast2To53 = async (
  handler: (event: ReturnType<typeof anEsmEvent>) => Promise<unknown>,
  path: string,
  from = 0,
): Promise<bigint> => {
  const orders = 2000;
  for (const half of [0, 1]) {
    const records = Array.from({ length: orders / 2 }, (_, i) =>
      anEventRecord(maximumPurchase(path), 0, from + (half * orders) / 2 + i),
    );
    await handler(anEsmEvent('aws:kafka', records));
  }
  return BigInt(orders) * BigInt(MAX_ORDER_CENTS);
};

/** What every reader of the analytics table answers for `path`'s revenue in MINUTE. */
const readBack = async (reader: AnalyticsReader, analytics: string, path: string) => {
  const snapshot = await buildSnapshot(
    {
      analytics: reader,
      segmentStats: { segmentStats: async () => [] },
      source: 'test',
      analyticsTable: analytics,
    },
    DEFAULT_SNAPSHOT_SETTINGS,
    Date.parse(`${MINUTE.slice(0, -1)}:30Z`),
  );
  // The page receives the snapshot as JSON and validates it with the same schema.
  const received = SnapshotSchema.parse(JSON.parse(JSON.stringify(snapshot)));
  return {
    funnel: (await reader.funnel(MINUTE))?.revenueCents,
    funnels: (await reader.funnels(MINUTE, MINUTE)).map((funnel) => funnel.revenueCents),
    page: (await reader.pageStats(path, MINUTE))?.revenueCents,
    topPage: (await reader.topPages(MINUTE, 1)).map((page) => [page.path, page.revenueCents]),
    snapshotFunnel: received.funnel.revenue,
    snapshotMinute: received.activity.at(-1)?.revenue,
    snapshotPage: received.topPages.current.pages.map((page) => [page.path, page.revenue]),
  };
};

describe('aggregate-events at the sinks limits', () => {
  it('counts revenue past 2^53 cents exactly: maximum orders on one page in one minute', async () => {
    // Prepare
    const { handler, reader, analytics } = await coldStart();

    // Act: two batches of the same partition, the second after the sums passed 2^53.
    const expectedCents = await purchasesPast2To53(handler, '/buy');
    const expected = expectedCents.toString();

    // Assert: raw reads, since 10^16 is no exact JavaScript number.
    expect(BigInt(expected) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const key = funnelKey(MINUTE);
    const funnel = await dynamoClient().send(
      new GetItemCommand({ TableName: analytics, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }),
    );
    expect(funnel.Item?.revenueCents?.N).toBe(expected);
    expect(funnel.Item?.purchases?.N).toBe('2000');
    const scan = await dynamoClient().send(new ScanCommand({ TableName: analytics }));
    const pageRevenue = (scan.Items ?? [])
      .filter((item) => item.entity?.S === 'PageBucket' || item.entity?.S === 'PageStats')
      .reduce((sum, item) => {
        if (item.entity?.S === 'PageStats') return sum + BigInt(item.revenueCents?.N ?? '0');
        const pages = decodeBucketPages(item.pages?.S ?? '[]');
        return sum + (pages.get('/buy')?.revenueCents ?? 0n);
      }, 0n);
    expect(pageRevenue.toString()).toBe(expected);
    expect(await readBack(reader, analytics, '/buy')).toEqual({
      funnel: expectedCents,
      funnels: [expectedCents],
      page: expectedCents,
      topPage: [['/buy', expectedCents]],
      snapshotFunnel: decimalOfCents(expectedCents),
      snapshotMinute: decimalOfCents(expectedCents),
      snapshotPage: [['/buy', decimalOfCents(expectedCents)]],
    });
    expect(decimalOfCents(expectedCents)).toBe(`${expected.slice(0, -2)}.${expected.slice(-2)}`);
  });

  it('reads an overflow page item past 2^53 cents exactly, in the reader and the dashboard snapshot', async () => {
    // Prepare: the page's bucket is full, so its records go to its own counter item; two views
    // make it the minute's top page.
    const { handler, reader, analytics } = await coldStart();
    const path = '/buy-overflow';
    const filling = pathsFillingBucket(bucketOf(path), 40);
    await handler(anEsmEvent('aws:kafka', pageViews([...filling, path, path])));

    // Act
    const expectedCents = await purchasesPast2To53(handler, path, filling.length + 2);

    // Assert: the counts sit in the overflow item, a DynamoDB number of 17 digits.
    const overflow = await dynamoClient().send(
      new ScanCommand({
        TableName: analytics,
        FilterExpression: 'entity = :page AND #path = :path',
        ExpressionAttributeNames: { '#path': 'path' },
        ExpressionAttributeValues: { ':page': { S: 'PageStats' }, ':path': { S: path } },
      }),
    );
    expect(overflow.Items?.map((item) => item.revenueCents?.N)).toEqual([expectedCents.toString()]);
    const read = await readBack(reader, analytics, path);
    expect(read).toMatchObject({
      funnel: expectedCents,
      funnels: [expectedCents],
      page: expectedCents,
      topPage: [[path, expectedCents]],
      snapshotFunnel: decimalOfCents(expectedCents),
      snapshotMinute: decimalOfCents(expectedCents),
    });
    expect(read.snapshotPage[0]).toEqual([path, decimalOfCents(expectedCents)]);
  });

  it('keys an overflow page by a digest when its path passes the sort key limit, ASCII or multibyte', async () => {
    // Prepare: a bucket already full, then paths that overflow it with keys near and over 1,024 bytes.
    const { handler, reader, analytics } = await coldStart();
    const ascii = `/${'a'.repeat(1019)}`;
    const multibyte = `/${'é'.repeat(1000)}`;
    const overflowing = [ascii, multibyte].filter((path) => bucketOf(path) === bucketOf(ascii));
    const others = [ascii, multibyte].filter((path) => bucketOf(path) !== bucketOf(ascii));
    const fill = pathsFillingBucket(bucketOf(ascii), 2000);
    const fillOthers = others.flatMap((path) => pathsFillingBucket(bucketOf(path), 2000));
    const records = pageViews([...fill, ...fillOthers, ...overflowing, ...others]);

    // Act
    await handler(anEsmEvent('aws:kafka', records));

    // Assert
    for (const path of [ascii, multibyte]) {
      expect(await reader.pageStats(path, MINUTE)).toMatchObject({ views: 1 });
    }
    const scan = await dynamoClient().send(new ScanCommand({ TableName: analytics }));
    const overflowItems = (scan.Items ?? []).filter((item) => item.entity?.S === 'PageStats');
    expect(overflowItems.length).toBeGreaterThanOrEqual(2);
    for (const item of overflowItems) {
      expect(Buffer.byteLength(item.sk?.S ?? '', 'utf8')).toBeLessThanOrEqual(DynamoDbLimits.sortKeyBytes);
    }
    expect((await reader.funnel(MINUTE))?.pageViews).toBe(records.length);
  });

  it('dead-letters a value larger than the dead-letter topic accepts, as a bounded excerpt with its length and digest', async () => {
    // Prepare: a dead-letter topic that accepts 64 KB, a 1 MB non-JSON value, and 64 records of
    // 17 KB with one key (one partition's batch).
    const { handler, deadLetterTopic, reader } = await coldStart({ 'max.message.bytes': String(64 * 1024) });
    const huge = Buffer.alloc(1024 * 1024, 'x');
    const oversized = Array.from({ length: 64 }, (_, i) =>
      aSourceRecord({
        partition: 1,
        offset: i,
        key: Buffer.from('same-key'),
        value: Buffer.alloc(17 * 1024, 'y'),
      }),
    );
    const valid = anEventRecord(aClickstreamEvent(), 2, 0);

    // Act
    await handler(
      anEsmEvent('aws:kafka', [aSourceRecord({ partition: 0, offset: 5, value: huge }), ...oversized, valid]),
    );

    // Assert
    const letters = await readTopic(deadLetterTopic, 65);
    const header = (letter: (typeof letters)[number], name: string) => letter.headers?.[name]?.toString();
    const hugeLetter = letters.find((letter) => header(letter, DeadLetterHeader.SourcePartition) === '0');
    expect(hugeLetter && header(hugeLetter, DeadLetterCutHeader.ValueBytes)).toBe(String(huge.length));
    expect(hugeLetter && header(hugeLetter, DeadLetterCutHeader.ValueSha256)).toBe(
      createHash('sha256').update(huge).digest('hex'),
    );
    expect(hugeLetter?.value?.length).toBeLessThan(64 * 1024);
    expect(
      letters.filter((letter) => header(letter, DeadLetterHeader.Reason) === DecodeFailure.Oversized),
    ).toHaveLength(65);
    expect((await reader.funnel(MINUTE))?.events).toBe(1);
  });

  it('counts page views whose paths differ only in lone surrogates as the one page the stores see', async () => {
    // Prepare: both paths overflow a full bucket, into what DynamoDB keys as one item.
    const { handler, reader } = await coldStart();
    const paths = ['/s\ud800', '/s\udc00', '/s\ud800', '/s\udc00'];
    const fill = pathsFillingBucket(bucketOf('/s\ufffd'), 2000);

    // Act
    await handler(anEsmEvent('aws:kafka', pageViews([...fill, ...paths])));

    // Assert
    expect(await reader.pageStats('/s\ufffd', MINUTE)).toMatchObject({ views: 4 });
    expect((await reader.funnel(MINUTE))?.pageViews).toBe(fill.length + paths.length);
  });
});

describe('aggregate-events when the table refuses a write', () => {
  it('dead-letters only the records of a refused page item and session sketch; the rest is counted', async () => {
    // Prepare: the table refuses every write naming /refused (its bucket, then its own page
    // item) and the session sketch of the next minute.
    const { handler, reader, deadLetterTopic, documentClient } = await coldStart();
    const nextMinute = '2026-03-14T09:27Z';
    refuseWrites(
      documentClient,
      (input) => mentions(input, '/refused') || mentions(input, `SESSIONS#${nextMinute}`),
    );
    const view = (path: string, at: string) =>
      aClickstreamEvent({
        eventTime: Date.parse(`${at.slice(0, -1)}:10Z`),
        page: { path, title: 't', referrer: null },
      });
    const paths = Array.from({ length: 40 }, (_, i) => `/ok/${i}`);
    const events = [
      ...paths.map((path) => view(path, MINUTE)),
      view('/refused', MINUTE),
      view('/refused', MINUTE),
      ...paths.map((path) => view(path, MINUTE)),
      view('/ok/0', nextMinute),
      view('/ok/1', nextMinute),
    ];

    // Act
    await handler(
      anEsmEvent(
        'aws:kafka',
        events.map((event, offset) => anEventRecord(event, 0, offset)),
      ),
    );

    // Assert: the refused records are dead-lettered with the table's own answer...
    const letters = await readTopic(deadLetterTopic, 4);
    const header = (letter: (typeof letters)[number], name: string) => letter.headers?.[name]?.toString();
    expect(letters.map((letter) => Number(header(letter, DeadLetterHeader.SourceOffset))).sort()).toEqual([
      40,
      41,
      events.length - 2,
      events.length - 1,
    ]);
    for (const letter of letters) {
      expect(header(letter, DeadLetterHeader.Reason)).toBe('PROCESSING_FAILED');
      expect(header(letter, DeadLetterHeader.Detail)).toMatch(/ValidationException.*[Ii]tem size/);
    }
    // ...and everything else is counted, including the pages of the bucket the refusal sent
    // to their own items, and the refused records' contributions to their other items.
    expect(await reader.pageStats('/refused', MINUTE)).toBeUndefined();
    const pages = await Promise.all(paths.map((path) => reader.pageStats(path, MINUTE)));
    expect(pages.map((page) => page?.views)).toEqual(paths.map(() => 2));
    expect((await reader.funnel(MINUTE))?.pageViews).toBe(82);
    expect((await reader.funnel(nextMinute))?.pageViews).toBe(2);
    expect(await reader.uniqueSessions(MINUTE)).toBe(1);
    expect(await reader.uniqueSessions(nextMinute)).toBe(0);
  });
});

describe('aggregate-events start-up', () => {
  it('does not start when the dead-letter topic does not exist, naming DLQ_TOPIC', async () => {
    // Prepare
    await coldStart();
    vi.stubEnv('DLQ_TOPIC', 'no-such-topic');
    vi.resetModules();

    // Act
    const started = import('../../../functions/aggregate-events/handler.ts');

    // Assert
    await expect(started).rejects.toThrow(/DLQ_TOPIC names no-such-topic/);
  });

  it('does not start with an empty table setting, naming it', async () => {
    // Prepare
    await coldStart();
    vi.stubEnv('ANALYTICS_TABLE', '');
    vi.resetModules();

    // Act
    const started = import('../../../functions/aggregate-events/handler.ts');

    // Assert
    await expect(started).rejects.toThrow(/ANALYTICS_TABLE must not be empty/);
  });
});
