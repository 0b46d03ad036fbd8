import { describe, expect, it } from 'vitest';
import { WaitTimeoutError } from '../../docs/workshop/tools/errors.ts';
import { waitForQuietTopic, waitForZeroLag } from '../../docs/workshop/tools/waits.ts';
import { groupLag, readTopic } from '../../services/kafka/topic-reader.ts';
import { createTestTopic, testKafka } from './helpers.ts';

const produce = async (topic: string, messages: { key: string; value: string; partition: number }[]) => {
  const producer = testKafka('workshop-producer').producer({ idempotent: true });
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: messages.map((m) => ({ ...m, headers: { 'dlq-reason': `reason-${m.value}` } })),
  });
  await producer.disconnect();
};

describe("the workshop tool's topic reader", () => {
  it('reads a topic to its end in partition then offset order, headers as text', async () => {
    // Prepare
    const topic = await createTestTopic(2, 'workshop');
    await produce(topic, [
      { key: 'b', value: '3', partition: 1 },
      { key: 'a', value: '1', partition: 0 },
      { key: 'a', value: '2', partition: 0 },
    ]);

    // Act
    const records = await readTopic(testKafka(), topic);

    // Assert
    expect(
      records.map((r) => [
        r.partition,
        r.offset,
        r.key?.toString(),
        r.value?.toString(),
        r.headers['dlq-reason'],
      ]),
    ).toEqual([
      [0, 0n, 'a', '1', 'reason-1'],
      [0, 1n, 'a', '2', 'reason-2'],
      [1, 0n, 'b', '3', 'reason-3'],
    ]);
  });

  it('reads at most the first n records of each partition', async () => {
    // Prepare
    const topic = await createTestTopic(1, 'workshop');
    await produce(
      topic,
      ['1', '2', '3'].map((value) => ({ key: 'k', value, partition: 0 })),
    );

    // Act
    const records = await readTopic(testKafka(), topic, { perPartitionLimit: 2 });

    // Assert
    expect(records.map((r) => r.value?.toString())).toEqual(['1', '2']);
  });

  it('waits for a consumer group to commit every record, and says what is left when it does not', async () => {
    // Prepare
    const topic = await createTestTopic(1, 'workshop');
    await produce(
      topic,
      ['1', '2', '3'].map((value) => ({ key: 'k', value, partition: 0 })),
    );
    const group = `${topic}-group`;
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '1' }] });

      // Act + Assert: two records after the commit
      expect(await groupLag(admin, group, topic)).toEqual({ group, topic, records: 3, lag: 2 });
      await expect(waitForZeroLag(admin, group, topic, 600)).rejects.toThrow(WaitTimeoutError);
      await expect(waitForZeroLag(admin, group, topic, 600)).rejects.toThrow(/still has 2 of 3 records/);

      await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '3' }] });
      expect(await waitForZeroLag(admin, group, topic, 5_000)).toEqual({ group, topic, records: 3, lag: 0 });
    } finally {
      await admin.deleteGroups([group]).catch(() => {});
      await admin.disconnect();
    }
  });

  it('waits until a topic has records and stops growing, and refuses to settle on an empty one', async () => {
    // Prepare
    const empty = await createTestTopic(1, 'workshop');
    const filled = await createTestTopic(1, 'workshop');
    await produce(filled, [{ key: 'k', value: '1', partition: 0 }]);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      // Act + Assert
      expect(await waitForQuietTopic(admin, filled, 500, 10_000)).toEqual({ topic: filled, records: 1 });
      await expect(waitForQuietTopic(admin, empty, 200, 1_000)).rejects.toThrow(/is still empty/);
    } finally {
      await admin.disconnect();
    }
  });
});
