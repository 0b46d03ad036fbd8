import { KafkaDeadLetterPublisher } from '../../services/dead-letter/index.ts';
import {
  DynamoDbSegmentStatsStore,
  type SegmentStatsDependencies,
} from '../../services/segment-stats/index.ts';
import { documentClient } from '../commons/clients/dynamodb.ts';
import { kafka, kafkaProducer } from '../commons/clients/kafka.ts';
import { readDeadLetterTopic } from '../commons/clients/topic-limits.ts';
import { logger, metrics } from '../commons/observability.ts';
import { config } from './config.ts';
import { createHandler } from './create-handler.ts';

const dependencies: SegmentStatsDependencies = {
  store: new DynamoDbSegmentStatsStore(documentClient, config.analyticsTable),
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
};

/**
 * Writes ksqlDB's per-segment, per-device 5-minute statistics (the segment-stats topic,
 * via a Kafka event source mapping) to the analytics table for the dashboard. Failures
 * are thrown so the event source mapping retries the batch (offsets are committed only
 * after a successful invocation: https://docs.aws.amazon.com/lambda/latest/dg/with-msk-process.html);
 * writes are conditional on the source offset, so a retry never moves a total backwards.
 */
export const handler = createHandler(dependencies, {
  reportBatchItemFailures: config.reportBatchItemFailures,
});
