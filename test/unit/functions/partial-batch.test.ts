import { describe, expect, it } from 'vitest';
import { processByPartition } from '../../../functions/commons/partial-batch.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';
import { aSourceRecord } from '../../support/factories/clickstream-event.ts';

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
});
