import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DynamoDbSegmentStatsStore,
  PutOutcome,
  type SegmentStatsRow,
  segmentStatsItem,
} from '../../../services/segment-stats/index.ts';
import { createTestTables, dynamoClient } from '../helpers.ts';

const WINDOW_START = Date.parse('2026-11-25T10:05:00Z');
const row = (sessions: number): SegmentStatsRow => ({
  CUSTOMER_SEGMENT: 'loyal',
  DEVICE_CLASS: 'tablet',
  SESSIONS: sessions,
  CONVERSIONS: 1,
  ABANDONED_CARTS: 0,
  REVENUE: 12.5,
  ABANDONED_CART_VALUE: 0,
  CONVERSION_RATE: 1 / sessions,
  WINDOW_START,
  WINDOW_END: WINDOW_START + 300_000,
});

describe('DynamoDbSegmentStatsStore on the DynamoDB emulator', () => {
  it('replaces an item with a later offset and refuses an earlier or repeated one', async () => {
    // Prepare
    const tables = await createTestTables();
    const client = DynamoDBDocumentClient.from(dynamoClient());
    const store = new DynamoDbSegmentStatsStore(client, tables.analytics);
    const at = (offset: number, sessions: number) =>
      segmentStatsItem(row(sessions), { id: 'clickstream-segment-stats-0', offset }, 30);

    // Act
    const outcomes = [
      await store.put(at(5, 2)),
      await store.put(at(7, 3)),
      await store.put(at(6, 99)),
      await store.put(at(7, 99)),
    ];

    // Assert
    expect(outcomes).toEqual([PutOutcome.Written, PutOutcome.Written, PutOutcome.Stale, PutOutcome.Stale]);
    const { pk, sk } = at(0, 1);
    const stored = await client.send(new GetCommand({ TableName: tables.analytics, Key: { pk, sk } }));
    expect(stored.Item).toMatchObject({
      sessions: 3,
      sourceOffset: 7,
      revenueCents: 1250,
      entity: 'SegmentStats',
    });
  });
});
