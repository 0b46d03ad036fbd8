import type { Admin } from 'kafkajs';
import type { MappingStatsInput, PipelineStatsInput, PipelineStatsSource } from './pipeline-stats.ts';

/** What the Kafka fallback needs from a kafkajs admin client. */
export type KafkaAdmin = Pick<
  Admin,
  'connect' | 'listTopics' | 'listGroups' | 'fetchOffsets' | 'fetchTopicOffsets'
>;

/** Settings of {@link kafkaPipelineStats}. */
export interface KafkaPipelineStatsOptions {
  /** The dead-letter topic whose records are counted. */
  readonly deadLetterTopic: string;
  /** Which consumer groups to show (default: every group with committed offsets). */
  readonly includeGroup?: (groupId: string) => boolean;
}

type TopicEnds = Map<number, { low: number; high: number }>;

const endsOf = async (admin: Pick<KafkaAdmin, 'fetchTopicOffsets'>, topic: string): Promise<TopicEnds> =>
  new Map(
    (await admin.fetchTopicOffsets(topic)).map((partition) => [
      partition.partition,
      { low: Number(partition.low), high: Number(partition.high) },
    ]),
  );

/**
 * The records in the dead-letter topic (the sum of its partitions' high minus low
 * watermarks), or `null` when the topic does not exist.
 */
export const countDeadLetters = async (
  admin: Pick<KafkaAdmin, 'listTopics' | 'fetchTopicOffsets'>,
  topic: string,
): Promise<number | null> => {
  if (!(await admin.listTopics()).includes(topic)) return null;
  let records = 0;
  for (const { low, high } of (await endsOf(admin, topic)).values()) records += high - low;
  return records;
};

/**
 * Counts the dead-letter topic's records on each call ({@link countDeadLetters}), connecting
 * the admin client on the first; a failed connection is tried again on the next call.
 */
export const deadLetterCounter = (
  admin: Pick<KafkaAdmin, 'connect' | 'listTopics' | 'fetchTopicOffsets'>,
  topic: string,
): (() => Promise<number | null>) => {
  let connected: Promise<void> | undefined;
  return async () => {
    connected ??= admin.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    await connected;
    return countDeadLetters(admin, topic);
  };
};

/**
 * Pipeline health from Kafka alone, for the dashboard run without the demo: the lag of
 * every consumer group (each event source mapping has its own, like the emulator's and
 * AWS's), and the records in the dead-letter topic. Invocations, batch sizes and errors are
 * only known to the event source mapping, so they are `null` here.
 *
 * Lag is measured as AWS's OffsetLag metric is: the difference between the partition's
 * latest offset and the group's committed offset
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-msk-monitoring.html).
 */
export const kafkaPipelineStats = (
  admin: KafkaAdmin,
  options: KafkaPipelineStatsOptions,
): PipelineStatsSource => {
  let connected: Promise<void> | undefined;
  return async (): Promise<PipelineStatsInput> => {
    connected ??= admin.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    await connected;
    const topics = (await admin.listTopics()).filter((topic) => !topic.startsWith('__'));
    const ends = new Map<string, Promise<TopicEnds>>();
    const topicEnds = (topic: string): Promise<TopicEnds> => {
      let pending = ends.get(topic);
      if (pending === undefined) {
        pending = endsOf(admin, topic);
        ends.set(topic, pending);
      }
      return pending;
    };

    const { groups } = await admin.listGroups();
    const mappings: MappingStatsInput[] = [];
    const shown = groups.filter(({ groupId }) => options.includeGroup?.(groupId) ?? true);
    for (const { groupId } of shown.sort((a, b) => a.groupId.localeCompare(b.groupId))) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
        const committed = partitions.filter((partition) => Number(partition.offset) >= 0);
        if (committed.length === 0) continue;
        const topicOffsets = await topicEnds(topic);
        let lag = 0;
        const lagByPartition: Record<string, number> = {};
        for (const [partition, { low, high }] of topicOffsets) {
          const offset = Number(partitions.find((entry) => entry.partition === partition)?.offset ?? -1);
          const behind = Math.max(0, high - (offset >= 0 ? offset : low));
          lagByPartition[`${topic}-${partition}`] = behind;
          lag += behind;
        }
        mappings.push({
          name: groupId,
          topic,
          consumerGroup: groupId,
          lag,
          pollers: null,
          invocations: null,
          errors: null,
          retries: null,
          batchSize: null,
          lagByPartition,
        });
      }
    }

    let deadLetters: number | null = null;
    if (topics.includes(options.deadLetterTopic)) {
      deadLetters = 0;
      for (const { low, high } of (await topicEnds(options.deadLetterTopic)).values())
        deadLetters += high - low;
    }
    return { source: 'Kafka consumer groups', mappings, deadLetters };
  };
};
