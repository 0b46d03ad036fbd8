import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DynamoDbSegmentStatsReader,
  DynamoDbSegmentStatsStore,
  segmentStatsItem,
} from '../../../services/segment-stats/index.ts';
import { createTestTables, dynamoClient } from '../helpers.ts';

describe('segment statistics between the segment-stats function and the dashboard', () => {
  it('reads back, for a window range, exactly what the function writes', async () => {
    // Prepare
    const client = DynamoDBDocumentClient.from(dynamoClient());
    const tables = await createTestTables();
    const store = new DynamoDbSegmentStatsStore(client, tables.analytics);
    const windowStart = Date.parse('2026-11-25T10:05:00Z');
    const row = {
      CUSTOMER_SEGMENT: 'loyal',
      DEVICE_CLASS: 'mobile',
      SESSIONS: 7,
      CONVERSIONS: 2,
      ABANDONED_CARTS: 1,
      REVENUE: 179.8,
      ABANDONED_CART_VALUE: 64.5,
      CONVERSION_RATE: 2 / 7,
      WINDOW_START: windowStart,
      WINDOW_END: windowStart + 5 * 60_000,
    };

    // Act
    await store.put(segmentStatsItem(row, { id: 'clickstream-segment-stats-0', offset: 3 }, 30));
    const read = await new DynamoDbSegmentStatsReader(client, tables.analytics).segmentStats(
      '2026-11-25T10:05Z',
      '2026-11-25T10:05Z',
    );

    // Assert: the window at the range's very start is included
    expect(read).toEqual([
      expect.objectContaining({
        windowStart: '2026-11-25T10:05Z',
        segment: 'loyal',
        device: 'mobile',
        sessions: 7,
        converted: 2,
        abandonedCarts: 1,
        revenue: 179.8,
        abandonedCartValue: 64.5,
      }),
    ]);
  });
});
