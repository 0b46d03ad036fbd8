import { type AggregationDependencies, DynamoDbAggregateStore } from '../../services/aggregation/index.ts';
import { KafkaDeadLetterPublisher } from '../../services/dead-letter/index.ts';
import { documentClient } from '../commons/clients/dynamodb.ts';
import { kafka, kafkaProducer } from '../commons/clients/kafka.ts';
import { readDeadLetterTopic } from '../commons/clients/topic-limits.ts';
import { logger, metrics } from '../commons/observability.ts';
import { config } from './config.ts';
import { createHandler } from './create-handler.ts';

const dependencies: AggregationDependencies = {
  store: new DynamoDbAggregateStore(documentClient, config.analyticsTable),
  deadLetters: new KafkaDeadLetterPublisher(
    kafkaProducer,
    config.deadLetterTopic,
    // At init (top-level await): a missing topic stops the start, naming DLQ_TOPIC.
    await readDeadLetterTopic(kafka, config.deadLetterTopic),
  ),
  logger,
  metrics,
  retentionDays: config.retentionDays,
  writeConcurrency: config.writeConcurrency,
  eventTimeBounds: config.eventTimeBounds,
};

/**
 * Aggregates a Kafka batch (Amazon MSK or self-managed Kafka event source mapping) into the
 * analytics table, effectively once. Poison records are dead-lettered and the batch
 * succeeds; any other failure is thrown, so that the event source mapping retries the
 * whole batch and commits nothing meanwhile.
 */
export const handler = createHandler(dependencies, {
  reportBatchItemFailures: config.reportBatchItemFailures,
});
