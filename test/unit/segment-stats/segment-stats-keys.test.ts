import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoDbLimits, utf8Bytes } from '../../../services/limits/index.ts';
import { segmentStatsItem } from '../../../services/segment-stats/index.ts';

describe('segment-stats keys', () => {
  it('stay within the sort key limit and keep bounded readable names, for any segment and device', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 5000 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 5000 }),
        (segment, device) => {
          const item = segmentStatsItem(
            {
              CUSTOMER_SEGMENT: segment,
              DEVICE_CLASS: device,
              SESSIONS: 1,
              CONVERSIONS: 0,
              ABANDONED_CARTS: 0,
              REVENUE: 0,
              ABANDONED_CART_VALUE: 0,
              CONVERSION_RATE: 0,
              WINDOW_START: Date.parse('2026-03-14T09:25:00Z'),
              WINDOW_END: Date.parse('2026-03-14T09:30:00Z'),
            },
            { id: 'segment-stats-0', offset: 1 },
            30,
          );
          expect(utf8Bytes(item.sk)).toBeLessThanOrEqual(DynamoDbLimits.sortKeyBytes);
          expect(utf8Bytes(item.segment)).toBeLessThanOrEqual(1024);
          expect(utf8Bytes(item.deviceClass)).toBeLessThanOrEqual(1024);
        },
      ),
      { numRuns: 200 },
    );
  });
});
