import { describe, expect, it } from 'vitest';
import { BatchPlanner } from '../../../emulators/esm/batch-planner.ts';
import { readBatchItemFailures } from '../../../emulators/esm/batch-response.ts';
import { eventRecordBytes } from '../../../emulators/esm/payload.ts';
import { processByPartition } from '../../../functions/commons/partial-batch.ts';
import { toEventRecord } from '../../../services/kafka/esm-event.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';
import { aSourceRecord } from '../../support/factories/clickstream-event.ts';

/** The batch the event source mapping would invoke with for these records (the emulator's planner). */
const plannedBatch = (records: readonly SourceRecord[]) => {
  const planner = new BatchPlanner({
    batchSize: 100,
    windowMs: 0,
    source: { eventSource: 'SelfManagedKafka', bootstrapServers: 'h:9092' },
    maximumRetryAttempts: -1,
    bisectBatchOnFunctionError: false,
  });
  for (const partition of new Set(records.map((record) => record.partition))) {
    planner.ingest(
      'clickstream-events',
      partition,
      records
        .filter((record) => record.partition === partition)
        .map((source) => {
          const event = toEventRecord(source);
          return { source, event, bytes: eventRecordBytes(event), delivered: true, arrivedAt: 0 };
        }),
    );
  }
  const [batch] = planner.take(0).batches;
  if (batch === undefined) throw new Error('no batch planned');
  return batch;
};

describe('processByPartition', () => {
  it('processes each partition on its own and reports a failed one by its lowest offset', async () => {
    // Prepare: records of three partitions, interleaved and out of order.
    const records = [
      aSourceRecord({ partition: 2, offset: 7 }),
      aSourceRecord({ partition: 0, offset: 4 }),
      aSourceRecord({ partition: 2, offset: 5 }),
      aSourceRecord({ partition: 1, offset: 9 }),
      aSourceRecord({ partition: 0, offset: 3 }),
    ];
    const seen: number[][] = [];
    const process = async (group: SourceRecord[]) => {
      seen.push(group.map((record) => record.partition));
      if (group[0]?.partition === 2) throw new Error('throttled');
    };

    // Act
    const outcome = await processByPartition(records, process);

    // Assert
    expect(seen).toEqual([[2, 2], [0, 0], [1]]);
    expect(outcome.partitions).toBe(3);
    expect(outcome.response).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'clickstream-events-2', offset: 5 } }],
    });
    expect(outcome.errors.map((each) => each.partition)).toEqual(['clickstream-events-2']);
  });

  it('reports nothing when every partition succeeds', async () => {
    // Act
    const outcome = await processByPartition(
      [aSourceRecord({ partition: 0, offset: 1 })],
      async () => undefined,
    );

    // Assert
    expect(outcome).toEqual({ response: { batchItemFailures: [] }, errors: [], partitions: 1 });
  });

  it('answers in the shape the event source mapping reads: the failed partition resumes from its first offset', async () => {
    // Prepare
    const records = [0, 1].flatMap((partition) =>
      [3, 4].map((offset) => aSourceRecord({ partition, offset })),
    );

    // Act
    const { response } = await processByPartition(records, async (group) => {
      if (group[0]?.partition === 1) throw new Error('throttled');
    });

    // Assert
    expect(readBatchItemFailures(response, plannedBatch(records))).toEqual({
      kind: 'partial',
      lowestFailedOffset: new Map([['clickstream-events-1', 3]]),
    });
  });
});
