import { describe, expect, inject, it, onTestFinished, vi } from 'vitest';
import { AnalyticsReader } from '../../../services/aggregation/index.ts';
import { aClickstreamEvent, anEventRecord } from '../../support/factories/clickstream-event.ts';
import { anEsmEvent } from '../../support/factories/esm-event.ts';
import { mentions, throttleWrites } from '../../support/fakes/refused-writes.ts';
import { createTestTables, createTestTopic, dynamoClient, testBrokers } from '../helpers.ts';

const MINUTE = '2026-03-14T09:26Z';

const coldStart = async (reportBatchItemFailures: string) => {
  const deadLetterTopic = await createTestTopic(1, 'dlq');
  const { analytics } = await createTestTables(dynamoClient());
  vi.stubEnv('ANALYTICS_TABLE', analytics);
  vi.stubEnv('DLQ_TOPIC', deadLetterTopic);
  vi.stubEnv('REPORT_BATCH_ITEM_FAILURES', reportBatchItemFailures);
  vi.stubEnv('KAFKA_BROKERS', testBrokers().join(','));
  vi.stubEnv('DYNAMODB_ENDPOINT', inject('dynamodbEndpoint'));
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.resetModules();
  const { handler } = await import('../../../functions/aggregate-events/handler.ts');
  const { kafkaProducer } = await import('../../../functions/commons/clients/kafka.ts');
  const { documentClient } = await import('../../../functions/commons/clients/dynamodb.ts');
  onTestFinished(async () => {
    await kafkaProducer.disconnect();
    documentClient.destroy();
    vi.unstubAllEnvs();
  });
  return { handler, documentClient, reader: new AnalyticsReader(documentClient, analytics) };
};

/** Page views on partitions 0 and 1, offsets from 10, with DynamoDB throttling every write of partition 1. */
const batchWithPartitionOneThrottled = async (
  started: Awaited<ReturnType<typeof coldStart>>,
): Promise<unknown> => {
  throttleWrites(started.documentClient, (input) => mentions(input, 'clickstream-events-1'));
  const records = [0, 1].flatMap((partition) =>
    [10, 11, 12].map((offset) => anEventRecord(aClickstreamEvent(), partition, offset)),
  );
  return started.handler(anEsmEvent('aws:kafka', records));
};

describe('aggregate-events with ReportBatchItemFailures', () => {
  it('reports only the failed partition, from its first offset, and counts the others', async () => {
    // Prepare
    const started = await coldStart('true');

    // Act
    const response = await batchWithPartitionOneThrottled(started);

    // Assert
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'clickstream-events-1', offset: 10 } }],
    });
    expect((await started.reader.funnel(MINUTE))?.pageViews).toBe(3);
  });

  it('fails the whole batch without it: a partial response would be ignored and the records lost', async () => {
    // Prepare
    const started = await coldStart('false');

    // Act
    const invoked = batchWithPartitionOneThrottled(started);

    // Assert
    await expect(invoked).rejects.toThrow();
  });
});
