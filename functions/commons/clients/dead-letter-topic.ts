import kafkajs, { type Kafka } from 'kafkajs';
import { ConfigError } from '../../../services/commons/errors.ts';
import type { DeadLetterTopicLimits } from '../../../services/dead-letter/index.ts';
import { KafkaLimits } from '../../../services/limits/index.ts';

const MAX_MESSAGE_BYTES = 'max.message.bytes';

/**
 * The least a dead-letter topic must accept: a letter's own headers (reason, a detail of up to
 * 1,024 characters, coordinates) and some of the record, within one produce request's framing.
 */
const MIN_MESSAGE_BYTES = 16 * 1024;

/**
 * Checks at init that the dead-letter topic exists and reads what it accepts, its
 * `max.message.bytes` (https://kafka.apache.org/documentation/#topicconfigs_max.message.bytes),
 * which bounds every dead letter (services/dead-letter/bounded-message.ts). A topic that is
 * missing or not described stops the instance's start with a ConfigError naming `setting`:
 * otherwise the first poison record would stall its partition.
 *
 * Whether the function may write to it is not checked here: without producing, only a Metadata
 * request of version 8 or later says so (`include_topic_authorized_operations`,
 * https://kafka.apache.org/protocol#The_Messages_Metadata), and kafkajs 2.2.4 speaks Metadata up
 * to version 6; DescribeAcls needs DESCRIBE on the cluster and sees neither MSK's IAM policies nor
 * Confluent Cloud's role bindings. So the first dead letter tells: TOPIC_AUTHORIZATION_FAILED
 * makes its publish throw DeadLetterPublishError (retriable), the batch (or, with a partial batch
 * response, its partition) fails and is retried with nothing lost, and the failures show on the
 * mapping's error and lag alarms (resources/esm-alarms.yml) until the permission is granted.
 *
 * @throws {ConfigError} when the topic does not exist or its configuration cannot be read.
 */
export const readDeadLetterTopic = async (
  kafka: Kafka,
  topic: string,
  setting = 'DLQ_TOPIC',
): Promise<DeadLetterTopicLimits> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      throw new ConfigError(
        `${setting} names ${topic}, which is not a topic of the cluster: create it first`,
      );
    }
    const described = await admin
      .describeConfigs({
        resources: [
          { type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: [MAX_MESSAGE_BYTES] },
        ],
        includeSynonyms: false,
      })
      .catch((error: unknown) => {
        throw new ConfigError(`${setting}: the configuration of topic ${topic} cannot be read`, {
          cause: error,
        });
      });
    const value = described.resources[0]?.configEntries.find(
      (entry) => entry.configName === MAX_MESSAGE_BYTES,
    );
    const maxMessageBytes = Number(value?.configValue ?? KafkaLimits.defaultMaxMessageBytes);
    if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < MIN_MESSAGE_BYTES) {
      throw new ConfigError(
        `${setting}: topic ${topic} has ${MAX_MESSAGE_BYTES}=${value?.configValue}; a dead letter needs at least ${MIN_MESSAGE_BYTES}`,
      );
    }
    return { maxMessageBytes };
  } finally {
    await admin.disconnect();
  }
};
