import { describe, expect, inject, it, onTestFinished, vi } from 'vitest';
import { PROCESSING_FAILED } from '../../../services/commons/errors.ts';
import { DeadLetterHeader } from '../../../services/dead-letter/index.ts';
import { DynamoDbSegmentStatsReader, type SegmentStatsRow } from '../../../services/segment-stats/index.ts';
import { aSourceRecord } from '../../support/factories/clickstream-event.ts';
import { anEsmEvent } from '../../support/factories/esm-event.ts';
import { mentions, refuseWrites } from '../../support/fakes/refused-writes.ts';
import { readTopic } from '../aggregation/read-topic.ts';
import { createTestTables, createTestTopic, dynamoClient, testBrokers } from '../helpers.ts';

const WINDOW_START = Date.parse('2026-11-25T10:05:00Z');
const row = (segment: string, sessions: number): SegmentStatsRow => ({
  CUSTOMER_SEGMENT: segment,
  DEVICE_CLASS: 'tablet',
  SESSIONS: sessions,
  CONVERSIONS: 1,
  ABANDONED_CARTS: 0,
  REVENUE: 12.5,
  ABANDONED_CART_VALUE: 0,
  CONVERSION_RATE: 1 / sessions,
  WINDOW_START,
  WINDOW_END: WINDOW_START + 300_000,
});

const coldStart = async () => {
  const deadLetterTopic = await createTestTopic(1, 'dlq');
  const { analytics } = await createTestTables(dynamoClient());
  vi.stubEnv('ANALYTICS_TABLE', analytics);
  vi.stubEnv('DLQ_TOPIC', deadLetterTopic);
  vi.stubEnv('KAFKA_BROKERS', testBrokers().join(','));
  vi.stubEnv('DYNAMODB_ENDPOINT', inject('dynamodbEndpoint'));
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.resetModules();
  const { handler } = await import('../../../functions/segment-stats/handler.ts');
  const { kafkaProducer } = await import('../../../functions/commons/clients/kafka.ts');
  const { documentClient } = await import('../../../functions/commons/clients/dynamodb.ts');
  onTestFinished(async () => {
    await kafkaProducer.disconnect();
    documentClient.destroy();
    vi.unstubAllEnvs();
  });
  return { handler, documentClient, deadLetterTopic, analytics };
};

describe('segment-stats when the table refuses a write', () => {
  it('dead-letters the row whose item the table refuses and writes the others', async () => {
    // Prepare: the table refuses the item of the `refused` segment.
    const { handler, documentClient, deadLetterTopic, analytics } = await coldStart();
    refuseWrites(documentClient, (input) => mentions(input, '"segment":"refused"'));
    const rows = [row('loyal', 3), row('refused', 4), row('new', 5)];
    const records = rows.map((each, offset) =>
      aSourceRecord({ topic: 'segment-stats', offset, value: Buffer.from(JSON.stringify(each)) }),
    );

    // Act
    await handler(anEsmEvent('aws:kafka', records));

    // Assert
    const [letter, ...more] = await readTopic(deadLetterTopic, 1);
    expect(more).toEqual([]);
    expect(letter?.headers?.[DeadLetterHeader.SourceOffset]?.toString()).toBe('1');
    expect(letter?.headers?.[DeadLetterHeader.Reason]?.toString()).toBe(PROCESSING_FAILED);
    expect(letter?.headers?.[DeadLetterHeader.Detail]?.toString()).toMatch(
      /ValidationException.*[Ii]tem size/,
    );
    const stored = await new DynamoDbSegmentStatsReader(documentClient, analytics).segmentStats(
      '2026-11-25T10:00Z',
      '2026-11-25T10:10Z',
    );
    expect(stored.map((each) => each.segment).sort()).toEqual(['loyal', 'new']);
  });
});
