import type { Admin } from 'kafkajs';
import { type GroupLag, groupLag } from '../../../services/kafka/topic-reader.ts';
import { WaitTimeoutError } from './errors.ts';

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
