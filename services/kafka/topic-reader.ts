/**
 * Reading a topic as a whole, the one implementation the demo, the workshop tools and the
 * tests share: from its start to the end offsets it had when called, and its lag per group.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { isRetriableKafkaError, TopicMissingError, TopicReadTimeoutError } from './errors.ts';
import type { StoredRecord } from './record.ts';

export interface ReadTopicOptions {
  /** At most this many records per partition (the first ones). Default: all of them. */
  readonly perPartitionLimit?: number;
  readonly timeoutMs?: number;
}

/** A partition's low and high watermarks. */
export interface PartitionWatermarks {
  readonly partition: number;
  readonly low: bigint;
  readonly high: bigint;
}

/**
 * The low and high watermarks of every partition of a topic. Just after a topic is created,
 * or while a broker is busy, a metadata answer can list fewer partitions than the topic has or
 * a ListOffsets answer can carry a partition error (-1): both are asked again (every 200 ms, for
 * up to `timeoutMs`) instead of being read as an empty partition.
 */
export const watermarks = async (
  admin: Pick<Admin, 'fetchTopicMetadata' | 'fetchTopicOffsets'>,
  topic: string,
  timeoutMs = 15_000,
): Promise<PartitionWatermarks[]> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]?.partitions.length ?? 0;
      const offsets = (await admin.fetchTopicOffsets(topic)).map((p) => ({
        partition: p.partition,
        low: BigInt(p.low),
        high: BigInt(p.high),
      }));
      const complete =
        partitions > 0 &&
        offsets.length === partitions &&
        offsets.every((p) => p.low >= 0n && p.high >= p.low);
      if (complete || Date.now() > deadline) return offsets.sort((a, b) => a.partition - b.partition);
    } catch (error) {
      if (!isRetriableKafkaError(error) || Date.now() > deadline) throw error;
    }
    await new Promise((wake) => setTimeout(wake, 200));
  }
};

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
    for (const { partition, low, high } of await watermarks(admin, topic)) {
      const limit = options.perPartitionLimit;
      const end = limit === undefined || high - low <= BigInt(limit) ? high : low + BigInt(limit);
      if (end > low) ends.set(partition, end);
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
            records.push({
              partition,
              offset,
              key: message.key,
              value: message.value,
              timestamp: message.timestamp,
              headers,
            });
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
    watermarks(admin, topic),
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  ]);
  const committedByPartition = new Map(
    (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)] as const),
  );
  let records = 0n;
  let lag = 0n;
  for (const { partition, low, high } of topicOffsets) {
    const position = committedByPartition.get(partition) ?? -1n;
    records += high - low;
    lag += high - (position < low ? low : position);
  }
  return { group, topic, records: Number(records), lag: Number(lag) };
};

/** Records in a topic now (high − low watermark per partition; producers here are idempotent, not transactional). */
export const countRecords = async (
  admin: Pick<Admin, 'fetchTopicMetadata' | 'fetchTopicOffsets'>,
  topic: string,
): Promise<number> => {
  const offsets = await watermarks(admin, topic);
  return offsets.reduce((sum, p) => sum + Number(p.high - p.low), 0);
};
