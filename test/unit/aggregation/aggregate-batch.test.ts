import { describe, expect, it } from 'vitest';
import { AggregateStoreError, aggregateBatch } from '../../../services/aggregation/index.ts';
import { DecodeFailure } from '../../../services/clickstream/index.ts';
import {
  DeadLetterHeader,
  DeadLetterPublishError,
  deadLetterHeaders,
} from '../../../services/dead-letter/index.ts';
import { eventStream } from '../../support/aggregation/event-stream.ts';
import { storedTotals, testDependencies } from '../../support/aggregation/fakes.ts';
import { FaultyStore } from '../../support/aggregation/faulty-store.ts';
import { InMemoryAggregateStore } from '../../support/aggregation/in-memory-aggregate-store.ts';
import { deliverWithRetries, seededRandom } from '../../support/aggregation/redelivery.ts';
import { referenceTotals } from '../../support/aggregation/reference-totals.ts';
import {
  aClickstreamEvent,
  anEventRecord,
  aSourceRecord,
} from '../../support/factories/clickstream-event.ts';
import { RecordingDeadLetterPublisher, RecordingMetrics } from '../../support/fakes/recording.ts';

describe('aggregateBatch', () => {
  it('counts a batch exactly', async () => {
    // Prepare
    const { events, partitions } = eventStream(300, 3);
    const store = new InMemoryAggregateStore();

    // Act
    await aggregateBatch(partitions.flat(), testDependencies(store));

    // Assert
    expect(storedTotals(store)).toEqual(referenceTotals(events));
  });

  it('leaves exact counts when the same batch is applied twice', async () => {
    // Prepare
    const { events, partitions } = eventStream(300, 3);
    const store = new InMemoryAggregateStore();
    const batch = partitions.flat();
    const first = await aggregateBatch(batch, testDependencies(store));

    // Act
    const second = await aggregateBatch(batch, testDependencies(store));

    // Assert
    expect(storedTotals(store)).toEqual(referenceTotals(events));
    expect(second.itemsAlreadyApplied).toBe(first.counterItems + first.pageBuckets);
    // One refused optimistic write and one read per counter item; one read per sketch and
    // per page bucket, and no write for a sketch or bucket that already holds the batch.
    expect(second.watermarkConflicts).toBe(first.counterItems);
    expect(second.readRequests).toBe(first.counterItems + first.sessionSketches + first.pageBuckets);
    expect(second.writeRequests).toBe(first.counterItems);
  });

  it('leaves exact counts when a batch is redelivered cut differently', async () => {
    // Prepare: a first attempt delivered offsets 0–59 of each partition and failed after
    // writing everything; the retry starts at the same offsets and ends further.
    const { events, partitions } = eventStream(300, 3);
    const store = new InMemoryAggregateStore();
    await aggregateBatch(
      partitions.flatMap((records) => records.slice(0, 60)),
      testDependencies(store),
    );

    // Act
    await aggregateBatch(
      partitions.flatMap((records) => records.slice(0, 90)),
      testDependencies(store),
    );
    await aggregateBatch(
      partitions.flatMap((records) => records.slice(90)),
      testDependencies(store),
    );

    // Assert
    expect(storedTotals(store)).toEqual(referenceTotals(events));
  });

  it('leaves exact counts when a retry is cut shorter than the attempt that wrote', async () => {
    // Prepare
    const { events, partitions } = eventStream(200, 2);
    const store = new InMemoryAggregateStore();
    await aggregateBatch(
      partitions.flatMap((records) => records.slice(0, 80)),
      testDependencies(store),
    );

    // Act
    await aggregateBatch(
      partitions.flatMap((records) => records.slice(0, 30)),
      testDependencies(store),
    );
    await aggregateBatch(
      partitions.flatMap((records) => records.slice(30)),
      testDependencies(store),
    );

    // Assert
    expect(storedTotals(store)).toEqual(referenceTotals(events));
  });

  it('fails after writing half the items, then a retry leaves exact counts', async () => {
    // Prepare
    const { events, partitions } = eventStream(300, 3);
    const store = new InMemoryAggregateStore();
    const batch = partitions.flat();
    const itemCount = (await aggregateBatch(batch, testDependencies(new InMemoryAggregateStore())))
      .counterItems;

    // Act
    const failed = aggregateBatch(batch, testDependencies(new FaultyStore(store, Math.floor(itemCount / 2))));
    await expect(failed).rejects.toBeInstanceOf(AggregateStoreError);
    const halfWritten = store.writes;
    await aggregateBatch(batch, testDependencies(store));

    // Assert
    expect(halfWritten).toBe(Math.floor(itemCount / 2));
    expect(storedTotals(store)).toEqual(referenceTotals(events));
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'leaves exact counts under random cuts and failures (seed %i)',
    async (seed) => {
      // Prepare
      const { events, partitions } = eventStream(400, 3, seed);
      const store = new InMemoryAggregateStore();
      const random = seededRandom(seed * 1000);

      // Act
      const failures = await deliverWithRetries(
        partitions,
        (batch, attempt) => {
          const target = attempt.fail ? new FaultyStore(store, Math.floor(random() * 12)) : store;
          return aggregateBatch(batch, testDependencies(target)).then(() => undefined);
        },
        { random, maxBatchPerPartition: 40, failureRate: 0.4 },
      );

      // Assert
      expect(failures).toBeGreaterThan(0);
      expect(storedTotals(store)).toEqual(referenceTotals(events));
    },
  );

  it('counts a record delivered twice in one batch once', async () => {
    // Prepare
    const event = aClickstreamEvent();
    const record = anEventRecord(event, 0, 5);
    const store = new InMemoryAggregateStore();

    // Act
    const summary = await aggregateBatch([record, record], testDependencies(store));

    // Assert
    expect(summary.duplicates).toBe(1);
    expect(storedTotals(store)).toEqual(referenceTotals([event]));
  });

  it('sends poison records to the dead-letter topic with their reason and counts the rest', async () => {
    // Prepare
    const valid = aClickstreamEvent();
    const records = [
      anEventRecord(valid, 0, 0),
      aSourceRecord({ offset: 1, value: Buffer.from('{"type": "page_view"') }),
      aSourceRecord({ offset: 2, value: Buffer.from(JSON.stringify({ ...valid, type: 'teleport' })) }),
      aSourceRecord({ offset: 3, value: Buffer.alloc(17 * 1024, 0x20) }),
      aSourceRecord({ offset: 4, value: null, headers: [{ name: 'trace', value: Buffer.from('abc') }] }),
    ];
    const store = new InMemoryAggregateStore();
    const deadLetters = new RecordingDeadLetterPublisher();
    const metrics = new RecordingMetrics();

    // Act
    const summary = await aggregateBatch(records, testDependencies(store, deadLetters, metrics));

    // Assert
    expect(deadLetters.letters.map((letter) => [letter.source.offset, letter.reason])).toEqual([
      [1, DecodeFailure.MalformedJson],
      [2, DecodeFailure.SchemaInvalid],
      [3, DecodeFailure.Oversized],
      [4, DecodeFailure.EmptyValue],
    ]);
    expect(deadLetters.letters[0]?.value).toEqual(records[1]?.value);
    const tombstone = deadLetters.letters[3];
    expect(tombstone && deadLetterHeaders(tombstone)).toMatchObject({
      trace: [Buffer.from('abc')],
      [DeadLetterHeader.SourceTopic]: [Buffer.from('clickstream-events')],
      [DeadLetterHeader.SourceOffset]: [Buffer.from('4')],
    });
    expect(summary).toMatchObject({ records: 5, events: 1, poison: 4 });
    expect(metrics.values.get('PoisonRecords')).toBe(4);
    expect(storedTotals(store)).toEqual(referenceTotals([valid]));
  });

  it('dead-letters nothing when the store fails, so the retry does not write them twice', async () => {
    // Prepare
    const records = [
      anEventRecord(aClickstreamEvent(), 0, 0),
      aSourceRecord({ offset: 1, value: Buffer.from('nope') }),
    ];
    const deadLetters = new RecordingDeadLetterPublisher();

    // Act
    const result = aggregateBatch(
      records,
      testDependencies(new FaultyStore(new InMemoryAggregateStore(), 0), deadLetters),
    );

    // Assert
    await expect(result).rejects.toBeInstanceOf(AggregateStoreError);
    expect(deadLetters.letters).toEqual([]);
  });

  it('fails the batch when the dead letters cannot be written', async () => {
    // Prepare
    const deadLetters = new RecordingDeadLetterPublisher();
    deadLetters.failing = true;

    // Act
    const result = aggregateBatch(
      [aSourceRecord({ value: Buffer.from('nope') })],
      testDependencies(new InMemoryAggregateStore(), deadLetters),
    );

    // Assert
    await expect(result).rejects.toBeInstanceOf(DeadLetterPublishError);
  });

  it('needs at least 20× fewer write requests than one PutItem per event', async () => {
    // Prepare: 1,000 events on 5 pages within 3 minutes, from 3 partitions.
    const { partitions } = eventStream(1000, 3);

    // Act
    const summary = await aggregateBatch(partitions.flat(), testDependencies(new InMemoryAggregateStore()));

    // Assert
    expect(summary.writeRequests).toBeLessThanOrEqual(1000 / 20);
  });
});
