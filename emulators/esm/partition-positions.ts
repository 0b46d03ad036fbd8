/**
 * Where a mapping reads each partition from, and how far behind it is, from the cluster's
 * offsets (the fetching side of the poller, free of the consumer itself).
 */
import type { Admin } from 'kafkajs';
import { isRetriableKafkaError } from '../../services/kafka/errors.ts';
import { sourceId } from '../../services/kafka/record.ts';
import { type EventSourceMapping, StartingPosition } from './serverless-config.ts';

/**
 * Retries a cluster request while Kafka answers with a retriable error (a group
 * coordinator still loading, a leader moving): normal for seconds after a broker starts.
 */
export const retriable = async <T>(request: () => Promise<T>, attempts = 40): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await request();
    } catch (error) {
      if (!isRetriableKafkaError(error) || attempt >= attempts) throw error;
      await new Promise((wake) => setTimeout(wake, 250));
    }
  }
};

/**
 * Where each partition without a committed offset starts. A consumer group without
 * committed offsets starts at StartingPosition; one with committed offsets resumes from
 * them and StartingPosition is ignored
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-consumer-group-id.html). Positions
 * are taken before the group is joined and committed as soon as it is, so a mapping's start
 * is a fixed point: what is produced after it is delivered, even for LATEST.
 */
export const startingOffsets = async (
  admin: Admin,
  mapping: EventSourceMapping,
): Promise<Map<number, string>> => {
  const [committed] = await retriable(() =>
    admin.fetchOffsets({ groupId: mapping.consumerGroupId, topics: [mapping.topic] }),
  );
  const partitions = committed?.partitions ?? [];
  const missing = partitions.filter((p) => p.offset === '-1').map((p) => p.partition);
  const starts = new Map<number, string>();
  if (missing.length === 0) return starts;
  const groupIsNew = missing.length === partitions.length;
  if (groupIsNew && mapping.startingPosition === StartingPosition.AtTimestamp) {
    const byTime = await retriable(() =>
      admin.fetchTopicOffsetsByTimestamp(mapping.topic, mapping.startingPositionTimestampMs),
    );
    for (const p of byTime) starts.set(p.partition, p.offset);
  } else {
    const ends = await retriable(() => admin.fetchTopicOffsets(mapping.topic));
    // Partitions added to a group that already has offsets are read from their start, losing nothing.
    const useLatest = groupIsNew && mapping.startingPosition === StartingPosition.Latest;
    for (const p of ends) starts.set(p.partition, useLatest ? p.high : p.low);
  }
  for (const partition of starts.keys()) if (!missing.includes(partition)) starts.delete(partition);
  return starts;
};

/**
 * The offset lag per "topic-partition": log end offset − the group's committed offset (from
 * the log start when nothing is committed), as Lambda's OffsetLag metric measures it
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
 */
export const offsetLag = async (
  admin: Admin,
  mapping: EventSourceMapping,
): Promise<Record<string, number>> => {
  const [ends, groups] = await Promise.all([
    admin.fetchTopicOffsets(mapping.topic),
    admin.fetchOffsets({ groupId: mapping.consumerGroupId, topics: [mapping.topic] }),
  ]);
  const committed = new Map((groups[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  const lag: Record<string, number> = {};
  for (const end of ends) {
    const at = committed.get(end.partition) ?? -1;
    const from = at < 0 ? Number(end.low) : at;
    lag[sourceId(mapping.topic, end.partition)] = Math.max(0, Number(end.high) - from);
  }
  return lag;
};
