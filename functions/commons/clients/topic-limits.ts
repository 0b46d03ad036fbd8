import kafkajs, { type Kafka } from 'kafkajs';
import { ConfigError } from '../../../services/commons/errors.ts';
import { KafkaLimits, type TopicLimits } from '../../../services/limits/index.ts';

const MAX_MESSAGE_BYTES = 'max.message.bytes';

/**
 * The least a topic the functions write must accept: a dead letter's own headers (reason, a
 * detail of up to 1,024 characters, coordinates) and some of the record, within one produce
 * request's framing; an enriched session of ordinary size with room to spare.
 */
const MIN_MESSAGE_BYTES = 16 * 1024;

/** A topic a function writes, and the setting that names it (for the ConfigError). */
export interface WrittenTopic {
  readonly topic: string;
  readonly setting: string;
}

/**
 * Checks at init that each topic exists and reads what it accepts, its `max.message.bytes`
 * (https://kafka.apache.org/documentation/#topicconfigs_max.message.bytes), which bounds every
 * record written to it (dead letters: services/dead-letter/bounded-message.ts; enriched sessions:
 * services/enrichment/enrich-sessions.ts). One admin connection, one listTopics, one
 * describeConfigs for all of them, so a cold start pays one round trip. A topic that is missing,
 * not described, or accepting less than 16 KiB stops the instance's start with a ConfigError
 * naming its setting: otherwise the first record for it would stall its partition.
 *
 * Whether the function may write to a topic is not checked here: without producing, only a
 * Metadata request of version 8 or later says so (`include_topic_authorized_operations`,
 * https://kafka.apache.org/protocol#The_Messages_Metadata), and kafkajs 2.2.4 speaks Metadata up
 * to version 6; DescribeAcls needs DESCRIBE on the cluster and sees neither MSK's IAM policies nor
 * Confluent Cloud's role bindings. So the first write tells: TOPIC_AUTHORIZATION_FAILED makes it
 * throw a retriable error (DeadLetterPublishError, EnrichedEventPublishError), the batch (or,
 * with a partial batch response, its partition) fails and is retried with nothing lost, and the
 * failures show on the mapping's error and lag alarms (resources/esm-alarms.yml) until the
 * permission is granted.
 *
 * @returns each topic's limits, in the order asked.
 * @throws {ConfigError} naming the setting of a topic that does not exist, cannot be described,
 *   or accepts too little.
 */
export const readTopicLimits = async <const Topics extends readonly WrittenTopic[]>(
  kafka: Kafka,
  topics: Topics,
): Promise<{ readonly [K in keyof Topics]: TopicLimits }> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const { topic, setting } of topics) {
      if (!existing.has(topic)) {
        throw new ConfigError(
          `${setting} names ${topic}, which is not a topic of the cluster: create it first`,
        );
      }
    }
    const described = await admin
      .describeConfigs({
        resources: topics.map(({ topic }) => ({
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: topic,
          configNames: [MAX_MESSAGE_BYTES],
        })),
        includeSynonyms: false,
      })
      .catch((error: unknown) => {
        const settings = topics.map(({ setting }) => setting).join(', ');
        throw new ConfigError(`${settings}: the topics' configuration cannot be read`, { cause: error });
      });
    const limits = topics.map(({ topic, setting }): TopicLimits => {
      const value = described.resources
        .find((resource) => resource.resourceName === topic)
        ?.configEntries.find((entry) => entry.configName === MAX_MESSAGE_BYTES);
      const maxMessageBytes = Number(value?.configValue ?? KafkaLimits.defaultMaxMessageBytes);
      if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < MIN_MESSAGE_BYTES) {
        throw new ConfigError(
          `${setting}: topic ${topic} has ${MAX_MESSAGE_BYTES}=${value?.configValue}; it must accept at least ${MIN_MESSAGE_BYTES}`,
        );
      }
      return { maxMessageBytes };
    });
    // One entry per topic asked, in order: the tuple type the caller destructures.
    return limits as { readonly [K in keyof Topics]: TopicLimits };
  } finally {
    await admin.disconnect();
  }
};

/** {@link readTopicLimits} of the dead-letter topic alone. */
export const readDeadLetterTopic = async (
  kafka: Kafka,
  topic: string,
  setting = 'DLQ_TOPIC',
): Promise<TopicLimits> => {
  const [limits] = await readTopicLimits(kafka, [{ topic, setting }]);
  return limits;
};
