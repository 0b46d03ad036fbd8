import { describe, expect, it } from 'vitest';
import {
  aggregateBatch,
  bucketOf,
  MAX_BUCKET_RESERVED_BYTES,
  minuteOf,
  reservedBytes,
  sessionSketchKey,
} from '../../../services/aggregation/index.ts';
import type { ClickstreamEvent } from '../../../services/clickstream/index.ts';
import { PROCESSING_FAILED } from '../../../services/commons/errors.ts';
import { utf8Bytes } from '../../../services/limits/index.ts';
import { storedTotals, testDependencies } from '../../support/aggregation/fakes.ts';
import { InMemoryAggregateStore } from '../../support/aggregation/in-memory-aggregate-store.ts';
import { referenceTotals } from '../../support/aggregation/reference-totals.ts';
import { aClickstreamEvent, anEventRecord } from '../../support/factories/clickstream-event.ts';
import { RecordingDeadLetterPublisher } from '../../support/fakes/recording.ts';

describe('a write the sink refuses', () => {
  it('dead-letters the records of the refused item, one by one, and the batch succeeds', async () => {
    // Prepare: a store whose sort keys are shorter than a page item's (a limit not guarded),
    // a bucket filled with other pages, then three pages that overflow it into their own items.
    const store = new InMemoryAggregateStore({ sortKeyBytes: 40 });
    const deadLetters = new RecordingDeadLetterPublisher();
    const path = (i: number) => `/refused/${String(i).padStart(40, '0')}`;
    const bucket = bucketOf(path(0));
    const fill: string[] = [];
    for (let i = 0, reserved = 0; reserved <= MAX_BUCKET_RESERVED_BYTES; i += 1) {
      const candidate = `/${String(i).padStart(1999, 'f')}`;
      if (bucketOf(candidate) !== bucket) continue;
      fill.push(candidate);
      reserved += reservedBytes(candidate);
    }
    const refused = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(path).filter((p) => bucketOf(p) === bucket);
    const records = [...fill, ...refused].map((p, offset) =>
      anEventRecord(aClickstreamEvent({ page: { path: p, title: 't', referrer: null } }), 0, offset),
    );
    // Act
    const summary = await aggregateBatch(records, testDependencies(store, deadLetters));

    // Assert
    expect(summary.overflowRecords).toBeGreaterThanOrEqual(refused.length);
    expect(deadLetters.letters).toHaveLength(summary.overflowRecords);
    for (const letter of deadLetters.letters) {
      expect(letter.reason).toBe(PROCESSING_FAILED);
      expect(letter.detail).toMatch(/sort key too long/);
    }
    expect(summary.poison).toBe(summary.overflowRecords);
  });

  it('sends the records of a refused page bucket to their own page items: counted once, also when redelivered', async () => {
    // Prepare: items may hold 1,500 bytes, so a bucket is refused once it holds some twenty
    // pages, while one page's own item always fits.
    const store = new InMemoryAggregateStore({ itemBytes: 1500 });
    const deadLetters = new RecordingDeadLetterPublisher();
    const events: ClickstreamEvent[] = Array.from({ length: 600 }, (_, i) =>
      aClickstreamEvent({
        type: i % 7 === 0 ? 'click' : 'page_view',
        sessionId: `s-${i % 13}`,
        page: { path: `/page/${String(i % 200).padStart(54, '0')}`, title: 't', referrer: null },
      }),
    );
    const records = events.map((event, offset) => anEventRecord(event, 0, offset));

    // Act: a first delivery cut short, then the whole batch twice.
    const first = await aggregateBatch(records.slice(0, 250), testDependencies(store, deadLetters));
    await aggregateBatch(records, testDependencies(store, deadLetters));
    await aggregateBatch(records, testDependencies(store, deadLetters));

    // Assert
    expect(first.overflowRecords).toBeGreaterThan(0);
    expect(deadLetters.letters).toEqual([]);
    expect(storedTotals(store)).toEqual(referenceTotals(events));
  });

  it('dead-letters the records of a refused session sketch, and their counts stand', async () => {
    // Prepare: partition keys one byte shorter than a sketch's; every other key is shorter.
    const event = aClickstreamEvent();
    const sketchKey = sessionSketchKey(minuteOf(event.eventTime), 'clickstream-events-0');
    const store = new InMemoryAggregateStore({ partitionKeyBytes: utf8Bytes(sketchKey.pk) - 1 });
    const deadLetters = new RecordingDeadLetterPublisher();
    const events = [event, aClickstreamEvent({ sessionId: 'session-2' })];

    // Act
    const summary = await aggregateBatch(
      events.map((each, offset) => anEventRecord(each, 0, offset)),
      testDependencies(store, deadLetters),
    );

    // Assert
    expect(deadLetters.letters.map((letter) => [letter.source.offset, letter.reason])).toEqual([
      [0, PROCESSING_FAILED],
      [1, PROCESSING_FAILED],
    ]);
    expect(deadLetters.letters[0]?.detail).toMatch(/partition key too long/);
    expect(summary.poison).toBe(2);
    const { sessions, ...counted } = storedTotals(store);
    const { sessions: _, ...expected } = referenceTotals(events);
    expect(counted).toEqual(expected);
    expect(sessions.size).toBe(0);
  });

  it('still fails the batch on an error a retry can fix', async () => {
    // Prepare
    const store = new InMemoryAggregateStore();
    store.applyCounters = async () => {
      throw Object.assign(new Error('throttled'), { retriable: true });
    };

    // Act
    const result = aggregateBatch([anEventRecord(aClickstreamEvent(), 0, 0)], testDependencies(store));

    // Assert
    await expect(result).rejects.toThrow('throttled');
  });
});
