/**
 * Benchmark entry point: the aggregation handler wired exactly as
 * functions/aggregate-events/handler.ts wires it — same config, Kafka producer, dead-letter
 * publisher, logger, metrics and `aggregateBatch` — except that the store is a
 * {@link NoopAggregateStore}. It isolates what DynamoDB costs from what the event source
 * mapping, the runtime and the aggregation cost. Benchmark-only; never deployed.
 */
import { config as functionConfig } from '../../../functions/aggregate-events/config.ts';
import { kafkaProducer } from '../../../functions/commons/clients/kafka.ts';
import { kafkaBatchHandler } from '../../../functions/commons/kafka-batch-handler.ts';
import { logger, metrics } from '../../../functions/commons/observability.ts';
import { type AggregationDependencies, aggregateBatch } from '../../../services/aggregation/index.ts';
import { KafkaDeadLetterPublisher } from '../../../services/dead-letter/index.ts';
import { measured } from '../measured-handler.ts';
import { NoopAggregateStore } from '../noop-aggregate-store.ts';
import { config } from './config.ts';

const store = new NoopAggregateStore();

const dependencies: AggregationDependencies = {
  store,
  deadLetters: new KafkaDeadLetterPublisher(kafkaProducer, functionConfig.deadLetterTopic),
  logger,
  metrics,
  retentionDays: functionConfig.retentionDays,
  writeConcurrency: functionConfig.writeConcurrency,
};

const aggregateWithoutDynamoDb = kafkaBatchHandler((records) => aggregateBatch(records, dependencies));

/** The aggregation handler with DynamoDB writes stubbed, measured. */
export const handler = measured(aggregateWithoutDynamoDb, config.scenario, store);
