import { describe, expect, it } from 'vitest';
import { type Batch, BatchPlanner, type BufferedRecord } from '../../../emulators/esm/batch-planner.ts';
import { eventRecordBytes } from '../../../emulators/esm/payload.ts';
import { toEventRecord } from '../../../services/kafka/esm-event.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';

const TOPIC = 'clicks';

/** A buffered record factory: offsets of one partition, all arriving at `at`. */
const records = (
  partition: number,
  offsets: readonly number[],
  options: { at?: number; filtered?: readonly number[]; valueBytes?: number } = {},
): BufferedRecord[] =>
  offsets.map((offset) => {
    const source: SourceRecord = {
      topic: TOPIC,
      partition,
      offset,
      timestamp: 1_700_000_000_000 + offset,
      timestampType: 'CREATE_TIME',
      key: Buffer.from(`user-${offset}`),
      value: Buffer.alloc(options.valueBytes ?? 20, 'x'),
      headers: [],
    };
    const event = toEventRecord(source);
    return {
      source,
      event,
      bytes: eventRecordBytes(event),
      delivered: !(options.filtered ?? []).includes(offset),
      arrivedAt: options.at ?? 0,
    };
  });

const planner = (overrides: Partial<ConstructorParameters<typeof BatchPlanner>[0]> = {}): BatchPlanner =>
  new BatchPlanner({
    batchSize: 3,
    windowMs: 500,
    source: { eventSource: 'SelfManagedKafka', bootstrapServers: 'localhost:9092' },
    maximumRetryAttempts: -1,
    bisectBatchOnFunctionError: false,
    retryDelayMs: () => 100,
    ...overrides,
  });

const offsetsOf = (batch: Batch | undefined): Record<string, number[]> =>
  Object.fromEntries(
    (batch?.parts ?? []).map((part) => [part.key, part.records.map((r) => r.source.offset)]),
  );

describe('BatchPlanner batching', () => {
  it('waits for the window while a batch is not full, then delivers what is there', () => {
    // Prepare
    const plan = planner();
    plan.ingest(TOPIC, 0, records(0, [0, 1], { at: 1000 }));

    // Act
    const early = plan.take(1499);
    const wake = plan.nextWakeAt(1499);
    const due = plan.take(1500);

    // Assert
    expect(early.batches).toEqual([]);
    expect(wake).toBe(1500);
    expect(due.batches.map(offsetsOf)).toEqual([{ 'clicks-0': [0, 1] }]);
  });

  it('closes a batch on BatchSize without waiting, across partitions, one batch per partition', () => {
    // Prepare
    const plan = planner();
    plan.ingest(TOPIC, 0, records(0, [0, 1], { at: 1000 }));
    plan.ingest(TOPIC, 1, records(1, [0, 1, 2, 3], { at: 1001 }));

    // Act
    const { batches } = plan.take(1001);

    // Assert
    expect(batches.map(offsetsOf)).toEqual([{ 'clicks-0': [0, 1], 'clicks-1': [0] }]);
    expect(plan.take(5000).batches).toEqual([]);
  });

  it('continues a partition in offset order after its batch succeeds, committing the next offset', () => {
    // Prepare
    const plan = planner();
    plan.ingest(TOPIC, 0, records(0, [0, 1, 2, 3, 4]));
    const [first] = plan.take(0).batches;

    // Act
    const settlement = first === undefined ? undefined : plan.complete(first, { kind: 'success' }, 10);
    const next = plan.take(600).batches;

    // Assert
    expect(offsetsOf(first)).toEqual({ 'clicks-0': [0, 1, 2] });
    expect(settlement?.commits).toEqual([{ topic: TOPIC, partition: 0, offset: 3 }]);
    expect(next.map(offsetsOf)).toEqual([{ 'clicks-0': [3, 4] }]);
  });

  it('sends the records that waited behind a running batch once it returns, not a window later', () => {
    // Prepare: a backlog's tail (fewer than BatchSize) arrives while the head is invoked.
    const plan = planner();
    plan.ingest(TOPIC, 0, records(0, [0, 1, 2, 3, 4], { at: 0 }));
    const [head] = plan.take(0).batches;

    // Act: the head returns after more than the 500 ms window.
    if (head !== undefined) plan.complete(head, { kind: 'success' }, 800);
    const tail = plan.take(800).batches;

    // Assert
    expect(tail.map(offsetsOf)).toEqual([{ 'clicks-0': [3, 4] }]);
  });

  it('cuts a batch before its payload would exceed the quota', () => {
    // Prepare
    const plan = planner({ batchSize: 100, maxPayloadBytes: 1200 });
    plan.ingest(TOPIC, 0, records(0, [0, 1, 2, 3], { valueBytes: 200 }));

    // Act
    const [batch] = plan.take(0).batches;

    // Assert
    expect(batch?.payloadBytes).toBeLessThanOrEqual(1200);
    expect(batch?.recordCount).toBeGreaterThan(0);
    expect(batch?.recordCount).toBeLessThan(4);
    expect(batch?.tooLarge).toBe(false);
  });

  it('flags a single record larger than the quota instead of splitting it', () => {
    // Prepare
    const plan = planner({ batchSize: 100, maxPayloadBytes: 300 });
    plan.ingest(TOPIC, 0, records(0, [0, 1], { valueBytes: 400 }));

    // Act
    const [batch] = plan.take(0).batches;

    // Assert
    expect(offsetsOf(batch)).toEqual({ 'clicks-0': [0] });
    expect(batch?.tooLarge).toBe(true);
  });

  it('ignores records redelivered by the fetcher after a rebalance', () => {
    // Prepare
    const plan = planner();
    plan.ingest(TOPIC, 0, records(0, [0, 1]));

    // Act
    plan.ingest(TOPIC, 0, records(0, [0, 1, 2]));

    // Assert
    expect(plan.buffered('clicks-0')).toBe(3);
  });
});

describe('BatchPlanner filtering', () => {
  it('commits filtered records nothing waits for, without a batch', () => {
    // Prepare
    const plan = planner();
    plan.ingest(TOPIC, 0, records(0, [0, 1], { filtered: [0, 1] }));

    // Act
    const { batches, commits } = plan.take(0);

    // Assert
    expect(batches).toEqual([]);
    expect(commits).toEqual([{ topic: TOPIC, partition: 0, offset: 2 }]);
  });

  it('commits filtered records inside a batch with it, never delivering them', () => {
    // Prepare
    const plan = planner();
    plan.ingest(TOPIC, 0, records(0, [0, 1, 2, 3], { filtered: [1, 3] }));
    const [batch] = plan.take(600).batches;

    // Act
    const settlement = batch === undefined ? undefined : plan.complete(batch, { kind: 'success' }, 600);

    // Assert
    expect(offsetsOf(batch)).toEqual({ 'clicks-0': [0, 2] });
    expect(settlement?.commits).toEqual([{ topic: TOPIC, partition: 0, offset: 4 }]);
  });
});

describe('BatchPlanner error handling', () => {
  it('retries the same batch after a failure and commits nothing', () => {
    // Prepare
    const plan = planner();
    plan.ingest(TOPIC, 0, records(0, [0, 1, 2, 3]));
    const [batch] = plan.take(0).batches;

    // Act
    const settlement = batch === undefined ? undefined : plan.complete(batch, { kind: 'failure' }, 10);
    const tooSoon = plan.take(50).batches;
    const [retry] = plan.take(110).batches;

    // Assert
    expect(settlement).toMatchObject({ commits: [], retrying: true });
    expect(tooSoon).toEqual([]);
    expect(offsetsOf(retry)).toEqual(offsetsOf(batch));
    expect(retry?.attempt).toBe(1);
  });

  it('gives the records up after MaximumRetryAttempts and moves on', () => {
    // Prepare
    const plan = planner({ maximumRetryAttempts: 1 });
    plan.ingest(TOPIC, 0, records(0, [0, 1, 2, 3]));
    const [batch] = plan.take(0).batches;
    if (batch !== undefined) plan.complete(batch, { kind: 'failure' }, 0);
    const [retry] = plan.take(100).batches;

    // Act
    const settlement = retry === undefined ? undefined : plan.complete(retry, { kind: 'failure' }, 100);
    const next = plan.take(700).batches;

    // Assert
    expect(settlement?.exhausted.map((r) => r.source.offset)).toEqual([0, 1, 2]);
    expect(settlement?.exhaustedAttempts).toBe(2);
    expect(settlement?.commits).toEqual([{ topic: TOPIC, partition: 0, offset: 3 }]);
    expect(next.map(offsetsOf)).toEqual([{ 'clicks-0': [3] }]);
  });

  it('on a partial failure commits up to the lowest failed offset and retries from it', () => {
    // Prepare
    const plan = planner({ batchSize: 10 });
    plan.ingest(TOPIC, 0, records(0, [0, 1, 2, 3]));
    plan.ingest(TOPIC, 1, records(1, [0, 1]));
    const [batch] = plan.take(600).batches;

    // Act
    const settlement =
      batch === undefined
        ? undefined
        : plan.complete(batch, { kind: 'partial', lowestFailedOffset: new Map([['clicks-0', 2]]) }, 600);
    const [retry] = plan.take(700).batches;

    // Assert
    expect(settlement?.commits).toEqual([
      { topic: TOPIC, partition: 0, offset: 2 },
      { topic: TOPIC, partition: 1, offset: 2 },
    ]);
    expect(offsetsOf(retry)).toEqual({ 'clicks-0': [2, 3] });
  });

  it('bisects a failing batch into halves that run in order, keeping the attempt count', () => {
    // Prepare
    const plan = planner({ batchSize: 4, bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 });
    plan.ingest(TOPIC, 0, records(0, [0, 1, 2, 3]));
    const [batch] = plan.take(0).batches;

    // Act
    const split = batch === undefined ? undefined : plan.complete(batch, { kind: 'failure' }, 0);
    const [firstHalf] = plan.take(0).batches;
    const whileFirstRuns = plan.take(0).batches;
    if (firstHalf !== undefined) plan.complete(firstHalf, { kind: 'success' }, 0);
    const [secondHalf] = plan.take(0).batches;

    // Assert
    expect(split?.bisected).toBe(true);
    expect(offsetsOf(firstHalf)).toEqual({ 'clicks-0': [0, 1] });
    expect(firstHalf?.attempt).toBe(0);
    expect(whileFirstRuns).toEqual([]);
    expect(offsetsOf(secondHalf)).toEqual({ 'clicks-0': [2, 3] });
  });
});

describe('BatchPlanner MaximumRecordAgeInSeconds and concurrency', () => {
  const T0 = 1_700_000_000_000;

  it('expires records past the maximum age instead of delivering them, committing past them', () => {
    // Prepare: offsets 0..2 are 61 s old at `now`, offset 3 was written 61 s after offset 0.
    const plan = planner({ maximumRecordAgeMs: 60_000, windowMs: 0 });
    const batch = records(0, [0, 1, 2]);
    const fresh = records(0, [61_000]);
    plan.ingest(TOPIC, 0, [...batch, ...fresh]);

    // Act
    const taken = plan.take(T0 + 61_003);

    // Assert
    expect(taken.expired.map((r) => r.source.offset)).toEqual([0, 1, 2]);
    expect(taken.commits).toEqual([{ topic: TOPIC, partition: 0, offset: 3 }]);
    expect(taken.batches.map(offsetsOf)).toEqual([{ 'clicks-0': [61_000] }]);
  });

  it('expires the records of a failed batch whose retry comes after their maximum age', () => {
    // Prepare
    const plan = planner({ maximumRecordAgeMs: 60_000, windowMs: 0 });
    plan.ingest(TOPIC, 0, records(0, [0, 1]));
    const [first] = plan.take(T0).batches;
    if (first === undefined) throw new Error('no batch');
    plan.complete(first, { kind: 'failure' }, T0 + 10);

    // Act
    const retry = plan.take(T0 + 120_000);

    // Assert
    expect(retry.batches).toEqual([]);
    expect(retry.expired.map((r) => r.source.offset)).toEqual([0, 1]);
    expect(retry.commits).toEqual([{ topic: TOPIC, partition: 0, offset: 2 }]);
  });

  it('runs no more batches at once than maxConcurrency allows, which can change while running', () => {
    // Prepare
    const plan = planner({ batchSize: 1, maxConcurrency: 1 });
    for (const partition of [0, 1, 2]) plan.ingest(TOPIC, partition, records(partition, [0]));

    // Act
    const first = plan.take(0).batches.length;
    plan.maxConcurrency = 3;
    const more = plan.take(0).batches.length;

    // Assert
    expect(first).toBe(1);
    expect(more).toBe(2);
    expect(plan.waitingPartitions).toBe(0);
  });
});
