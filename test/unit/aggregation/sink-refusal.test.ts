import { describe, expect, it } from 'vitest';
import {
  aggregateBatch,
  bucketOf,
  MAX_BUCKET_RESERVED_BYTES,
  reservedBytes,
} from '../../../services/aggregation/index.ts';
import { PROCESSING_FAILED } from '../../../services/commons/errors.ts';
import { testDependencies } from '../../support/aggregation/fakes.ts';
import { InMemoryAggregateStore } from '../../support/aggregation/in-memory-aggregate-store.ts';
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
