import type { Admin, Kafka } from 'kafkajs';

/** One record as the demo's checks read it. */
export interface ReadRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** Records in a topic now (high − low watermark per partition: producers here are idempotent, not transactional). */
export const countRecords = async (admin: Admin, topic: string): Promise<number> => {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
};

/**
 * Reads a topic from its start up to the end offsets seen when called, with a throwaway
 * consumer group (no committed offsets left to confuse anyone).
 */
export const readTopicToEnd = async (
  kafka: Kafka,
  topic: string,
  timeoutMs = 60_000,
): Promise<ReadRecord[]> => {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  const records: ReadRecord[] = [];
  if (ends.size === 0) return records;
  const consumer = kafka.consumer({
    groupId: `demo-check-${topic}-${Date.now()}`,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const pending = new Set(ends.keys());
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`reading ${topic} to its end took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            if (end === undefined || BigInt(message.offset) >= end) return;
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) {
              if (value !== undefined) headers[name] = String(value);
            }
            records.push({
              partition,
              offset: message.offset,
              key: message.key,
              value: message.value,
              headers,
            });
            if (BigInt(message.offset) + 1n >= end) pending.delete(partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              done();
            }
          },
        })
        .catch(fail);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
};
