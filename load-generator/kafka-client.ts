import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import { createKafkaClient } from '../services/kafka/client.ts';
import { CONNECT_TIMEOUT_MS, withConnectDeadline as withDeadline } from '../services/kafka/deadline.ts';
import { BrokerUnreachableError, KafkaAuthenticationError } from '../services/kafka/errors.ts';
import { ensureTopics } from '../services/kafka/topics.ts';
import type { ToolLog } from '../tooling/logger.ts';
import type { KafkaSettings } from './config.ts';
import { LoadGeneratorError } from './errors.ts';

export { CONNECT_TIMEOUT_MS };

// kafkajs warns on every start that bounded retries "may invalidate EoS guarantees". Here
// they cannot: a batch that exhausts its retries is counted as an error and never re-sent
// by us, so giving up can lose records (reported) but never duplicate them.
// Connection failures are retried, then reported once by BrokerUnreachableError or the
// failed send; kafkajs' per-attempt lines would only bury that message.
const QUIET = [
  // A refused SASL handshake: kafkajs does not retry it, and KafkaAuthenticationError reports it once.
  'Response SaslAuthenticate',
  'SASL ',
  'Limiting retries for the idempotent producer',
  'Connection error',
  'Connection timeout',
  'Failed to connect to seed broker',
  'Closed connection',
  'Request ApiVersions',
];

/**
 * The kafkajs client for the configured cluster (the project's one client factory: TLS,
 * SASL PLAIN / SCRAM as Confluent Cloud uses, MSK IAM), with bounded connection retries.
 */
export const createKafka = (settings: KafkaSettings, log: ToolLog): Kafka =>
  createKafkaClient(settings, {
    clientId: 'clickstream-load-generator',
    log,
    connectionTimeoutMs: CONNECT_TIMEOUT_MS,
    requestTimeoutMs: 30_000,
    // Connection refused fails fast; a silent host is bounded by connectionTimeout per
    // attempt and by the overall deadline in connectProducer.
    retry: { retries: 3, initialRetryTime: 250, maxRetryTime: 2_000 },
    quiet: QUIET,
  });

/**
 * An idempotent producer (acks=all), connected. One batch in flight per broker keeps the
 * idempotent sequence numbers in order.
 *
 * @throws {BrokerUnreachableError} when the cluster does not answer within {@link CONNECT_TIMEOUT_MS}.
 */
export const connectProducer = async (kafka: Kafka, brokers: readonly string[]): Promise<Producer> => {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // murmur2 on the key, as the Java client and ksqlDB partition: one user's events land on
    // the partition any other producer of that user would pick (named to silence kafkajs'
    // start-up notice about its v2 default change).
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  await withDeadline(producer.connect(), brokers, async () => {
    await producer.disconnect().catch(() => {});
  });
  return producer;
};

/**
 * Creates the topic with `partitions` partitions (the cluster's default replication) if
 * it does not exist, and returns its partition count. Bounded as a whole by
 * {@link CONNECT_TIMEOUT_MS}: a broker that accepts connections and never answers (a wrong
 * port, a proxy) fails here, not after kafkajs' request timeouts.
 *
 * @throws {BrokerUnreachableError} when the cluster does not answer in time.
 */
export const ensureTopic = async (
  kafka: Kafka,
  brokers: readonly string[],
  topic: string,
  partitions: number,
): Promise<{ partitions: number; created: boolean }> => {
  const admin = kafka.admin();
  const preparing = (async () => {
    await admin.connect();
    const created = await ensureTopics(admin, [{ topic, partitions }]);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return { partitions: metadata.topics[0]?.partitions.length ?? 0, created: created.length > 0 };
  })();
  try {
    const prepared = await withDeadline(preparing, brokers, async () => {
      await admin.disconnect().catch(() => {});
    });
    await admin.disconnect();
    return prepared;
  } catch (error) {
    if (error instanceof BrokerUnreachableError || error instanceof KafkaAuthenticationError) throw error;
    throw new LoadGeneratorError(`cannot prepare topic ${topic}: ${(error as Error).message}`, {
      cause: error,
    });
  }
};
