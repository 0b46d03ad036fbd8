import { describe, expect, it } from 'vitest';
import { deployTopics, ensureTopics, type TopicAdmin } from '../../../deploy/topics.ts';

/** An in-memory admin that records what it was asked to create. */
const recordingAdmin = (existing: string[]) => {
  const created: Parameters<TopicAdmin['createTopics']>[0][] = [];
  const admin: TopicAdmin = {
    listTopics: async () => [...existing],
    createTopics: async (options) => {
      created.push(options);
      return true;
    },
  };
  return { admin, created };
};

describe('deployTopics', () => {
  it('lists every topic the functions read or write, with the given partitions', () => {
    const topics = deployTopics(12);

    expect(topics.map((spec) => spec.topic)).toEqual([
      'clickstream-events',
      'clickstream-user-sessions',
      'clickstream-sessions-enriched',
      'clickstream-cart-abandoned',
      'clickstream-dlq',
    ]);
    expect(new Set(topics.map((spec) => spec.partitions))).toEqual(new Set([12]));
  });
});

describe('ensureTopics', () => {
  it('creates only the missing topics, with the cluster default replication', async () => {
    const { admin, created } = recordingAdmin(['clickstream-events', 'other']);

    const names = await ensureTopics(admin, deployTopics(6));

    expect(names).toEqual([
      'clickstream-user-sessions',
      'clickstream-sessions-enriched',
      'clickstream-cart-abandoned',
      'clickstream-dlq',
    ]);
    expect(created).toHaveLength(1);
    expect(created[0]?.topics[0]).toEqual({
      topic: 'clickstream-user-sessions',
      numPartitions: 6,
      replicationFactor: -1,
      configEntries: [{ name: 'retention.ms', value: '604800000' }],
    });
  });

  it('creates nothing when every topic exists', async () => {
    const { admin, created } = recordingAdmin(deployTopics(6).map((spec) => spec.topic));

    expect(await ensureTopics(admin, deployTopics(6))).toEqual([]);
    expect(created).toEqual([]);
  });
});
