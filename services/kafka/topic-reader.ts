/**
 * Reading a topic as a whole, the one implementation the demo, the workshop tools and the
 * tests share: from its start to the end offsets it had when called, and its lag per group.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { TopicMissingError, TopicReadTimeoutError } from './errors.ts';
import type { StoredRecord } from './record.ts';

export interface ReadTopicOptions {
  /** At most this many records per partition (the first ones). Default: all of them. */
  readonly perPartitionLimit?: number;
  readonly timeoutMs?: number;
}

const byPosition = (a: StoredRecord, b: StoredRecord): number =>
  a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0);

/**
 * Reads a topic from its start up to the end offsets it had when called, in partition then
 * offset order. A throwaway consumer group that commits nothing does the reading, so no
 * consumer's position changes.
 *
 * @throws {TopicMissingError} when the topic does not exist.
 * @throws {TopicReadTimeoutError} when it cannot be read in time.
 */
export const readTopic = async (
  kafka: Pick<Kafka, 'admin' | 'consumer'>,
  topic: string,
  options: ReadTopicOptions = {},
): Promise<StoredRecord[]> => {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      throw new TopicMissingError(topic);
    }
    for (const p of await admin.fetchTopicOffsets(topic)) {
      const low = BigInt(p.low);
      const high = BigInt(p.high);
      const limit = options.perPartitionLimit;
      const end = limit === undefined || high - low <= BigInt(limit) ? high : low + BigInt(limit);
      if (end > low) ends.set(p.partition, end);
    }
  } finally {
    await admin.disconnect();
  }
  const records: StoredRecord[] = [];
  if (ends.size === 0) return records;

  const consumer = kafka.consumer({
    groupId: `workshop-peek-${randomUUID()}`,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const pending = new Set(ends.keys());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TopicReadTimeoutError(topic, timeoutMs)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            const offset = BigInt(message.offset);
            if (end === undefined || offset >= end) return;
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) {
              const last = Array.isArray(value) ? value.at(-1) : value;
              if (last !== undefined) headers[name] = last.toString();
            }
            records.push({ partition, offset, key: message.key, value: message.value, headers });
            if (offset + 1n >= end) pending.delete(partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort(byPosition);
};

/** A consumer group's position on a topic: what it has committed against what there is. */
export interface GroupLag {
  readonly group: string;
  readonly topic: string;
  /** Records in the topic, summed over partitions (end − start offset). */
  readonly records: number;
  /** Records after the group's committed offsets (all of a partition it never committed on). */
  readonly lag: number;
}

/** Reads a consumer group's committed lag on a topic. */
export const groupLag = async (admin: Admin, group: string, topic: string): Promise<GroupLag> => {
  const [topicOffsets, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  ]);
  const committedByPartition = new Map(
    (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)] as const),
  );
  let records = 0n;
  let lag = 0n;
  for (const p of topicOffsets) {
    const low = BigInt(p.low);
    const high = BigInt(p.high);
    const position = committedByPartition.get(p.partition) ?? -1n;
    records += high - low;
    lag += high - (position < low ? low : position);
  }
  return { group, topic, records: Number(records), lag: Number(lag) };
};

/** Records in a topic now (high − low watermark per partition; producers here are idempotent, not transactional). */
export const countRecords = async (
  admin: Pick<Admin, 'fetchTopicOffsets'>,
  topic: string,
): Promise<number> => {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
};
