import { KafkaDeadLetterPublisher } from '../../services/dead-letter/index.ts';
import {
  CachingProfileReader,
  type EnrichmentDependencies,
  UserAgentParser,
} from '../../services/enrichment/index.ts';
import { DynamoDbProfileStore } from '../../services/profiles/index.ts';
import { documentClient } from '../commons/clients/dynamodb.ts';
import { kafka, kafkaProducer } from '../commons/clients/kafka.ts';
import { readTopicLimits } from '../commons/clients/topic-limits.ts';
import { logger, metrics } from '../commons/observability.ts';
import { config } from './config.ts';
import { createHandler } from './create-handler.ts';

// Built once per instance, at module load: the producer connects on first use and is reused
// by every invocation of this instance (one connection, not one per invocation).
const profileStore = new DynamoDbProfileStore(documentClient, config.userProfilesTable);

// At init (top-level await): every topic the function writes must exist, and each bounds what
// is sent to it by its own max.message.bytes; a missing one stops the start, naming its setting.
const [deadLetterLimits, sessionsEnrichedLimits, cartAbandonedLimits] = await readTopicLimits(kafka, [
  { topic: config.deadLetterTopic, setting: 'DLQ_TOPIC' },
  { topic: config.topics.sessionsEnriched, setting: 'SESSIONS_ENRICHED_TOPIC' },
  { topic: config.topics.cartAbandoned, setting: 'CART_ABANDONED_TOPIC' },
]);

const dependencies: EnrichmentDependencies = {
  profiles:
    config.profileCache.ttlMs > 0
      ? new CachingProfileReader(profileStore, config.profileCache)
      : profileStore,
  producer: kafkaProducer,
  topics: config.topics,
  topicLimits: { sessionsEnriched: sessionsEnrichedLimits, cartAbandoned: cartAbandonedLimits },
  deadLetters: new KafkaDeadLetterPublisher(kafkaProducer, config.deadLetterTopic, deadLetterLimits),
  userAgents: new UserAgentParser(),
  logger,
  metrics,
};

/**
 * Enriches closed sessions from ksqlDB's user-sessions topic (Kafka event source mapping)
 * and produces them to the sessions-enriched and cart-abandoned topics. Undecodable rows
 * are dead-lettered and the batch succeeds; any other failure is thrown, so that the event
 * source mapping retries the whole batch (at least once; event ids are deterministic).
 *
 * The mapping commits offsets only after a successful invocation and, by default
 * (MaximumRetryAttempts -1), retries a failed batch until it succeeds:
 * https://docs.aws.amazon.com/lambda/latest/dg/with-msk-process.html and
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 */
export const handler = createHandler(dependencies, {
  reportBatchItemFailures: config.reportBatchItemFailures,
});
