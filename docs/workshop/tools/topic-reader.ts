import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { WaitTimeoutError, WorkshopToolError } from './errors.ts';

/** One Kafka record as the workshop tool shows it. */
export interface TopicRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Header values as UTF-8 text; a repeated name keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ReadTopicOptions {
  /** At most this many records per partition (the first ones). Default: all of them. */
  readonly perPartitionLimit?: number;
  readonly timeoutMs?: number;
}

const byPosition = (a: TopicRecord, b: TopicRecord): number =>
  a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0);

/**
 * Reads a topic from its start up to the end offsets it had when called, in partition then
 * offset order. A throwaway consumer group that commits nothing does the reading, so no
 * consumer's position changes.
 *
 * @throws {WorkshopToolError} when the topic does not exist or cannot be read in time.
 */
export const readTopic = async (
  kafka: Kafka,
  topic: string,
  options: ReadTopicOptions = {},
): Promise<TopicRecord[]> => {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      throw new WorkshopToolError(`topic ${topic} does not exist (is the stack running?)`);
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
  const records: TopicRecord[] = [];
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
      const timer = setTimeout(
        () => reject(new WaitTimeoutError(`reading ${topic} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
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

/** A topic's record count once it has stopped growing. */
export interface SettledTopic {
  readonly topic: string;
  readonly records: number;
}

/**
 * Waits until a topic has at least one record and has received none for `quietMs`: how to
 * tell that a producer that works on its own schedule (a stream processor emitting closed
 * windows) has caught up, when there is no consumer group to ask.
 *
 * @throws {WaitTimeoutError} with the count last seen.
 */
export const waitForQuietTopic = async (
  admin: Admin,
  topic: string,
  quietMs: number,
  timeoutMs: number,
): Promise<SettledTopic> => {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const records = (await admin.fetchTopicOffsets(topic)).reduce(
      (sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)),
      0,
    );
    if (records !== last) {
      last = records;
      since = Date.now();
    } else if (records > 0 && Date.now() - since >= quietMs) {
      return { topic, records };
    }
    if (Date.now() > deadline) {
      throw new WaitTimeoutError(
        records === 0
          ? `${topic} is still empty after ${timeoutMs / 1000} s`
          : `${topic} was still growing after ${timeoutMs / 1000} s (${records} records)`,
      );
    }
    await new Promise((wake) => setTimeout(wake, 250));
  }
};

/**
 * Waits until a consumer group has committed every record of a topic (lag 0): what "the
 * event source mapping has caught up" means, read from Kafka rather than from the consumer.
 *
 * @throws {WaitTimeoutError} with the lag last seen.
 */
export const waitForZeroLag = async (
  admin: Admin,
  group: string,
  topic: string,
  timeoutMs: number,
): Promise<GroupLag> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lag = await groupLag(admin, group, topic);
    if (lag.lag === 0) return lag;
    if (Date.now() > deadline) {
      throw new WaitTimeoutError(
        `group ${group} still has ${lag.lag} of ${lag.records} records of ${topic} to commit after ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((wake) => setTimeout(wake, 500));
  }
};
