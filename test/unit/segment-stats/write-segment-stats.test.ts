import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../../services/kafka/record.ts';
import {
  PutOutcome,
  SegmentStatsFailure,
  type SegmentStatsItem,
  type SegmentStatsRow,
  SegmentStatsRowSchema,
  type SegmentStatsStore,
  segmentStatsItem,
  writeSegmentStats,
} from '../../../services/segment-stats/index.ts';
import { RecordingDeadLetterPublisher, RecordingMetrics } from '../../support/fakes/recording.ts';

/** The store's contract in memory: a write holds unless the item came from a later offset. */
class InMemorySegmentStatsStore implements SegmentStatsStore {
  readonly items = new Map<string, SegmentStatsItem>();

  async put(item: SegmentStatsItem): Promise<PutOutcome> {
    const key = `${item.pk}\n${item.sk}`;
    const stored = this.items.get(key);
    if (stored !== undefined && stored.source === item.source && stored.sourceOffset >= item.sourceOffset) {
      return PutOutcome.Stale;
    }
    this.items.set(key, item);
    return PutOutcome.Written;
  }
}

const WINDOW_START = Date.parse('2026-11-25T10:05:00Z');

const aStatsRow = (overrides: Partial<SegmentStatsRow> = {}): SegmentStatsRow => ({
  CUSTOMER_SEGMENT: 'vip',
  DEVICE_CLASS: 'mobile',
  SESSIONS: 4,
  CONVERSIONS: 1,
  ABANDONED_CARTS: 2,
  REVENUE: 89.9,
  ABANDONED_CART_VALUE: 41.3,
  CONVERSION_RATE: 0.25,
  WINDOW_START,
  WINDOW_END: WINDOW_START + 300_000,
  ...overrides,
});

const aStatsRecord = (offset: number, row: SegmentStatsRow | null | string = aStatsRow()): SourceRecord => ({
  topic: 'clickstream-segment-stats',
  partition: 3,
  offset,
  timestamp: WINDOW_START,
  timestampType: 'CREATE_TIME',
  key: Buffer.from('{"SEGMENT":"vip","DEVICECLASS":"mobile"}'),
  value: row === null ? null : Buffer.from(typeof row === 'string' ? row : JSON.stringify(row)),
  headers: [],
});

const dependencies = (store: SegmentStatsStore, deadLetters = new RecordingDeadLetterPublisher()) => ({
  store,
  deadLetters,
  logger: new Logger({ logLevel: 'SILENT' }),
  metrics: new RecordingMetrics(),
  retentionDays: 30,
  writeConcurrency: 4,
});

describe('segmentStatsItem', () => {
  it('keys a row by UTC day, window, segment and device, with revenue and cart value in cents', () => {
    const item = segmentStatsItem(aStatsRow({ REVENUE: 0.1 + 0.2 }), { id: 'stats-3', offset: 7 }, 30);

    expect(item).toEqual({
      pk: 'SEGMENTS#2026-11-25',
      sk: 'WINDOW#2026-11-25T10:05Z#SEGMENT#vip#DEVICE#mobile',
      entity: 'SegmentStats',
      windowStart: '2026-11-25T10:05Z',
      windowEnd: '2026-11-25T10:10Z',
      segment: 'vip',
      deviceClass: 'mobile',
      sessions: 4,
      conversions: 1,
      abandonedCarts: 2,
      revenueCents: 30,
      abandonedCartCents: 4130,
      conversionRate: 0.25,
      source: 'stats-3',
      sourceOffset: 7,
      expiresAt: (WINDOW_START + 300_000) / 1000 + 30 * 86_400,
    });
  });

  it('reads a row without the cart value (an older statement) as none', () => {
    const { ABANDONED_CART_VALUE: _, ...older } = aStatsRow();
    const item = segmentStatsItem(SegmentStatsRowSchema.parse(older), { id: 'stats-3', offset: 8 }, 30);

    expect(item.abandonedCartCents).toBe(0);
  });
});

describe('writeSegmentStats', () => {
  it('writes only the latest row of each item in a batch', async () => {
    const store = new InMemorySegmentStatsStore();

    const summary = await writeSegmentStats(
      [
        aStatsRecord(10, aStatsRow({ SESSIONS: 1 })),
        aStatsRecord(11, aStatsRow({ SESSIONS: 2 })),
        aStatsRecord(12, aStatsRow({ DEVICE_CLASS: 'desktop' })),
      ],
      dependencies(store),
    );

    expect(summary).toMatchObject({ written: 2, superseded: 1, stale: 0 });
    expect(
      [...store.items.values()].map((item) => [item.deviceClass, item.sessions, item.sourceOffset]),
    ).toEqual([
      ['mobile', 2, 11],
      ['desktop', 4, 12],
    ]);
  });

  it('leaves newer totals alone when a batch is redelivered', async () => {
    const store = new InMemorySegmentStatsStore();
    await writeSegmentStats([aStatsRecord(20, aStatsRow({ SESSIONS: 9 }))], dependencies(store));

    const summary = await writeSegmentStats(
      [aStatsRecord(19, aStatsRow({ SESSIONS: 8 }))],
      dependencies(store),
    );

    expect(summary).toMatchObject({ written: 0, stale: 1 });
    expect([...store.items.values()][0]?.sessions).toBe(9);
  });

  it('dead-letters rows it cannot read and skips tombstones', async () => {
    const deadLetters = new RecordingDeadLetterPublisher();

    const summary = await writeSegmentStats(
      [aStatsRecord(1, null), aStatsRecord(2, 'nope'), aStatsRecord(3, '{"SESSIONS":0}')],
      dependencies(new InMemorySegmentStatsStore(), deadLetters),
    );

    expect(summary).toMatchObject({ records: 3, written: 0, poison: 2 });
    expect(deadLetters.letters.map((letter) => letter.reason)).toEqual([
      SegmentStatsFailure.ValueNotJson,
      SegmentStatsFailure.ValueSchemaInvalid,
    ]);
  });
});
