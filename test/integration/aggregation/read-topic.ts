import type { StoredRecord } from '../../../services/kafka/record.ts';
import { readTopic as readWholeTopic } from '../../../services/kafka/topic-reader.ts';
import { testKafka } from '../helpers.ts';

/**
 * Reads a topic from its start, expecting `count` records (fails when it holds another number):
 * the project's one topic reader, on the run's broker.
 */
export const readTopic = async (
  topic: string,
  count: number,
  timeoutMs = 20_000,
): Promise<StoredRecord[]> => {
  const records = await readWholeTopic(testKafka('test-reader'), topic, { timeoutMs });
  if (records.length !== count)
    throw new Error(`expected ${count} records in ${topic}, found ${records.length}`);
  return records;
};
