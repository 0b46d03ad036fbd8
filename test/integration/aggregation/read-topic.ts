import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { testKafka } from '../helpers.ts';

/** Reads `count` messages from the start of a topic, or fails after `timeoutMs`. */
export const readTopic = async (
  topic: string,
  count: number,
  timeoutMs = 20_000,
): Promise<KafkaMessage[]> => {
  const consumer = testKafka('test-reader').consumer({ groupId: `reader-${randomUUID()}` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () =>
          fail(new Error(`read ${messages.length} of ${count} messages from ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (messages.length >= count) {
            clearTimeout(timer);
            done();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
};
