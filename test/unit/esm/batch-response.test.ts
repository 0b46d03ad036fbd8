import { describe, expect, it } from 'vitest';
import { type Batch, BatchPlanner } from '../../../emulators/esm/batch-planner.ts';
import { readBatchItemFailures } from '../../../emulators/esm/batch-response.ts';
import { eventRecordBytes } from '../../../emulators/esm/payload.ts';
import { toEventRecord } from '../../../services/kafka/esm-event.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';

/** A batch holding offsets 10–12 of clicks-0 and 5 of clicks-1. */
const batch = (): Batch => {
  const plan = new BatchPlanner({
    batchSize: 10,
    windowMs: 0,
    source: { eventSource: 'SelfManagedKafka', bootstrapServers: 'h:9092' },
    maximumRetryAttempts: -1,
    bisectBatchOnFunctionError: false,
  });
  const add = (partition: number, offsets: number[]) =>
    plan.ingest(
      'clicks',
      partition,
      offsets.map((offset) => {
        const source: SourceRecord = {
          topic: 'clicks',
          partition,
          offset,
          timestamp: 0,
          timestampType: 'CREATE_TIME',
          key: null,
          value: Buffer.from('{}'),
          headers: [],
        };
        const event = toEventRecord(source);
        return { source, event, bytes: eventRecordBytes(event), delivered: true, arrivedAt: 0 };
      }),
    );
  add(0, [10, 11, 12]);
  add(1, [5]);
  const [planned] = plan.take(0).batches;
  if (planned === undefined) throw new Error('no batch planned');
  return planned;
};

describe('readBatchItemFailures', () => {
  it.each([null, undefined, {}, { batchItemFailures: [] }, { batchItemFailures: null }])(
    'reads %j as success',
    (response) => {
      expect(readBatchItemFailures(response, batch())).toEqual({ kind: 'success' });
    },
  );

  it('returns the lowest failed offset per partition', () => {
    // Act
    const verdict = readBatchItemFailures(
      {
        batchItemFailures: [
          { itemIdentifier: { partition: 'clicks-0', offset: 12 } },
          { itemIdentifier: { partition: 'clicks-0', offset: 11 } },
          { itemIdentifier: { 'topic-partition': 'clicks-1', offset: '5' } },
        ],
      },
      batch(),
    );

    // Assert
    expect(verdict).toEqual({
      kind: 'partial',
      lowestFailedOffset: new Map([
        ['clicks-0', 11],
        ['clicks-1', 5],
      ]),
    });
  });

  it.each([
    [
      { batchItemFailures: [{ itemIdentifier: { partition: 'clicks-0', offset: 99 } }] },
      'not a record of the batch',
    ],
    [
      { batchItemFailures: [{ itemIdentifier: { partition: 'clicks-2', offset: 10 } }] },
      'not a record of the batch',
    ],
    [{ batchItemFailures: [{ itemIdentifier: 'clicks-0-10' }] }, 'not a { batchItemFailures'],
    ['ok', 'not a { batchItemFailures'],
  ])('fails the whole batch for %j', (response, reason) => {
    // Act
    const verdict = readBatchItemFailures(response, batch());

    // Assert
    expect(verdict.kind).toBe('invalid');
    expect(verdict.kind === 'invalid' ? verdict.reason : '').toContain(reason);
  });
});
