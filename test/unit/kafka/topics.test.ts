import { describe, expect, it } from 'vitest';
import { ensureTopics, type TopicAdmin, TopicNotServedError } from '../../../services/kafka/topics.ts';

/** An in-memory admin that records what it was asked to create; partitions served after `servedAfter` asks. */
const recordingAdmin = (existing: string[], servedAfter = 0) => {
  const created: Parameters<TopicAdmin['createTopics']>[0][] = [];
  const partitions = new Map<string, number>();
  let asks = 0;
  const admin: TopicAdmin = {
    listTopics: async () => [...existing],
    createTopics: async (options) => {
      created.push(options);
      for (const topic of options.topics) partitions.set(topic.topic, topic.numPartitions);
      return true;
    },
    fetchTopicOffsets: async (topic) => {
      asks += 1;
      if (asks <= servedAfter) throw new Error('This server is not the leader for that topic-partition');
      return Array.from({ length: partitions.get(topic) ?? 0 }, (_, partition) => ({ partition }));
    },
  };
  return { admin, created, asks: () => asks };
};

const SPECS = [
  { topic: 'a', partitions: 6, configs: { 'retention.ms': '1000' } },
  { topic: 'b', partitions: 2 },
];

describe('ensureTopics', () => {
  it('creates only the missing topics, with the cluster default replication', async () => {
    const { admin, created } = recordingAdmin(['a', 'other']);

    expect(await ensureTopics(admin, SPECS)).toEqual(['b']);
    expect(created).toEqual([
      {
        waitForLeaders: false,
        topics: [{ topic: 'b', numPartitions: 2, replicationFactor: -1, configEntries: [] }],
      },
    ]);
  });

  it('passes topic configs and an explicit replication factor', async () => {
    const { admin, created } = recordingAdmin([]);

    await ensureTopics(admin, SPECS, { replicationFactor: 1 });

    expect(created[0]?.topics[0]).toEqual({
      topic: 'a',
      numPartitions: 6,
      replicationFactor: 1,
      configEntries: [{ name: 'retention.ms', value: '1000' }],
    });
  });

  it('creates nothing when every topic exists', async () => {
    const { admin, created } = recordingAdmin(['a', 'b']);

    expect(await ensureTopics(admin, SPECS)).toEqual([]);
    expect(created).toEqual([]);
  });

  it('waits quietly while a new partition is not served yet', async () => {
    const { admin, asks } = recordingAdmin([], 3);

    expect(await ensureTopics(admin, SPECS)).toEqual(['a', 'b']);
    expect(asks()).toBe(5);
  });

  it('gives up naming the topic when its partitions are never served', async () => {
    const { admin } = recordingAdmin([], Number.POSITIVE_INFINITY);

    await expect(ensureTopics(admin, SPECS, { servedTimeoutMs: 250 })).rejects.toThrow(TopicNotServedError);
    await expect(ensureTopics(admin, SPECS, { servedTimeoutMs: 50 })).rejects.toThrow(/topic a/);
  });
});
