import { describe, expect, it } from 'vitest';
import { aggregateBatch, aggregateEvents } from '../../../services/aggregation/index.ts';
import { DecodeFailure, encodeEvent } from '../../../services/clickstream/index.ts';
import { UNREADABLE_RECORD } from '../../../services/kafka/record.ts';
import { testDependencies } from '../../support/aggregation/fakes.ts';
import { InMemoryAggregateStore } from '../../support/aggregation/in-memory-aggregate-store.ts';
import { aClickstreamEvent, aSourceRecord, BASE_TIME } from '../../support/factories/clickstream-event.ts';
import { RecordingDeadLetterPublisher } from '../../support/fakes/recording.ts';

// The rule (docs/effectively-once.md): every record is counted exactly once or dead-lettered
// with its reason and coordinates; no deterministic failure of one record fails its batch.

const DAY = 86_400_000;

const run = async (records: Parameters<typeof aggregateBatch>[0]) => {
  const store = new InMemoryAggregateStore();
  const deadLetters = new RecordingDeadLetterPublisher();
  const summary = await aggregateBatch(records, testDependencies(store, deadLetters));
  return { summary, letters: deadLetters.letters, store };
};

describe('the poison rule', () => {
  it('dead-letters an eventTime past year 9999 instead of failing on its time bucket', async () => {
    const value = Buffer.from(JSON.stringify({ ...aClickstreamEvent(), eventTime: 8.64e15 }));

    const { summary, letters } = await run([
      aSourceRecord({ offset: 0, value }),
      aSourceRecord({ offset: 1 }),
    ]);

    expect(letters.map((letter) => [letter.reason, letter.source.offset])).toEqual([
      [DecodeFailure.SchemaInvalid, 0],
    ]);
    expect(summary.events).toBe(1);
  });

  it('dead-letters an event too far before or after its record timestamp, in both directions', async () => {
    const timestamp = BASE_TIME + 10_000;
    const early = encodeEvent(aClickstreamEvent({ eventTime: timestamp - 7 * DAY - 1 }));
    const late = encodeEvent(aClickstreamEvent({ eventTime: timestamp + DAY + 1 }));
    const edge = encodeEvent(aClickstreamEvent({ eventTime: timestamp - 7 * DAY }));

    const { letters, summary } = await run([
      aSourceRecord({ offset: 0, timestamp, value: early }),
      aSourceRecord({ offset: 1, timestamp, value: late }),
      aSourceRecord({ offset: 2, timestamp, value: edge }),
    ]);

    expect(letters.map((letter) => [letter.reason, letter.source.offset])).toEqual([
      [DecodeFailure.EventTimeOutOfRange, 0],
      [DecodeFailure.EventTimeOutOfRange, 1],
    ]);
    expect(summary.events).toBe(1);
  });

  it('counts a record without a timestamp (NO_TIMESTAMP_TYPE) against the absolute bounds only', async () => {
    const { letters, summary } = await run([
      aSourceRecord({ offset: 0, timestamp: -1, timestampType: 'NO_TIMESTAMP_TYPE' }),
    ]);

    expect(letters).toEqual([]);
    expect(summary.events).toBe(1);
  });

  it('dead-letters a record the payload delivered unreadable, with its coordinates', async () => {
    const { letters, summary } = await run([
      aSourceRecord({ partition: 2, offset: 5, defect: 'value is not valid base64' }),
      aSourceRecord({ partition: 2, offset: 6 }),
    ]);

    expect(letters).toMatchObject([
      {
        reason: UNREADABLE_RECORD,
        detail: 'value is not valid base64',
        source: { topic: 'clickstream-events', partition: 2, offset: 5 },
      },
    ]);
    expect(summary.events).toBe(1);
  });
});

describe('aggregateEvents', () => {
  it('rejects an event whose values make a counter non-finite, and adds nothing of it', () => {
    // Not reachable through the schema (it refuses non-finite numbers); the aggregation is
    // total anyway, so a future bug is one dead letter, not a stalled partition.
    const broken = aClickstreamEvent({
      type: 'purchase',
      order: {
        lines: [{ productId: 'p', quantity: 1, unitPrice: Number.NaN }],
        quantity: 1,
        revenue: Number.NaN,
      },
    });

    const aggregate = aggregateEvents(
      [
        { event: broken, source: 's-0', offset: 0 },
        { event: aClickstreamEvent(), source: 's-0', offset: 1 },
      ],
      30,
      BASE_TIME,
    );

    expect(aggregate.rejected.map((rejected) => rejected.offset)).toEqual([0]);
    expect(
      aggregate.counterItems.flatMap((item) => [...item.contributions.values()].flat().map((c) => c.offset)),
    ).toEqual([1]);
    expect(aggregate.pageBuckets.flatMap((bucket) => bucket.contributions.map((c) => c.offset))).toEqual([1]);
  });
});
