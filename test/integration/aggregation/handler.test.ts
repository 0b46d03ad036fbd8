import { describe, expect, inject, it, onTestFinished, vi } from 'vitest';
import { AnalyticsReader } from '../../../services/aggregation/index.ts';
import { DecodeFailure } from '../../../services/clickstream/index.ts';
import { DeadLetterHeader } from '../../../services/dead-letter/index.ts';
import {
  aClickstreamEvent,
  anEventRecord,
  aSourceRecord,
} from '../../support/factories/clickstream-event.ts';
import { anEsmEvent } from '../../support/factories/esm-event.ts';
import { createTestTables, createTestTopic, dynamoClient, testBrokers } from '../helpers.ts';
import { readTopic } from './read-topic.ts';

/**
 * Loads the function module the way a fresh Lambda instance does (its config and clients
 * are built at module load), pointed at this test's table and dead-letter topic.
 */
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
  const { handler } = await import('../../../functions/aggregate-events/handler.ts');
  const { kafkaProducer } = await import('../../../functions/commons/clients/kafka.ts');
  const { documentClient } = await import('../../../functions/commons/clients/dynamodb.ts');
  onTestFinished(async () => {
    await kafkaProducer.disconnect();
    documentClient.destroy();
    vi.unstubAllEnvs();
  });
  return { handler, kafkaProducer, reader: new AnalyticsReader(documentClient, analytics), deadLetterTopic };
};

describe('aggregate-events handler', () => {
  it('dead-letters poison records with their reason and source, and the batch succeeds', async () => {
    // Prepare
    const { handler, reader, deadLetterTopic } = await coldStart();
    const valid = aClickstreamEvent({ eventTime: Date.parse('2026-03-14T09:26:10Z') });
    const malformed = aSourceRecord({ partition: 1, offset: 7, value: Buffer.from('{"type":') });
    const invalid = aSourceRecord({ partition: 1, offset: 8, value: Buffer.from('{"type":"page_view"}') });
    const empty = aSourceRecord({ partition: 2, offset: 3, key: null, value: null });
    const payload = anEsmEvent('aws:kafka', [anEventRecord(valid, 0, 11), malformed, invalid, empty]);

    // Act
    await handler(payload);

    // Assert
    const letters = await readTopic(deadLetterTopic, 3);
    const header = (message: (typeof letters)[number], name: string) => message.headers?.[name]?.toString();
    expect(
      letters
        .map((message) => [
          header(message, DeadLetterHeader.Reason),
          header(message, DeadLetterHeader.SourceTopic),
          header(message, DeadLetterHeader.SourcePartition),
          header(message, DeadLetterHeader.SourceOffset),
        ])
        .sort(),
    ).toEqual([
      [DecodeFailure.EmptyValue, 'clickstream-events', '2', '3'],
      [DecodeFailure.MalformedJson, 'clickstream-events', '1', '7'],
      [DecodeFailure.SchemaInvalid, 'clickstream-events', '1', '8'],
    ]);
    const malformedLetter = letters.find((message) => header(message, DeadLetterHeader.SourceOffset) === '7');
    expect(malformedLetter?.value).toEqual(malformed.value);
    expect(malformedLetter?.key).toEqual(malformed.key);
    expect(malformedLetter && header(malformedLetter, DeadLetterHeader.Detail)).toMatch(/JSON/);
    expect(await reader.funnel('2026-03-14T09:26Z')).toMatchObject({
      events: 1,
      pageViews: 1,
      uniqueSessions: 1,
    });
  });

  it('keeps one producer connection across many invocations of a warm instance', async () => {
    // Prepare
    const { handler, kafkaProducer, reader, deadLetterTopic } = await coldStart();
    const at = Date.parse('2026-03-14T09:26:10Z');

    // Act
    for (let invocation = 0; invocation < 12; invocation += 1) {
      await handler(
        anEsmEvent('SelfManagedKafka', [
          anEventRecord(aClickstreamEvent({ eventTime: at }), 0, invocation * 2),
          aSourceRecord({ partition: 0, offset: invocation * 2 + 1, value: Buffer.from('not json') }),
        ]),
      );
    }

    // Assert
    expect(kafkaProducer.connectCount).toBe(1);
    expect(await readTopic(deadLetterTopic, 12)).toHaveLength(12);
    expect(await reader.funnel('2026-03-14T09:26Z')).toMatchObject({ events: 12 });
  });

  it('refuses a payload that is not a Kafka event', async () => {
    // Prepare
    const { handler } = await coldStart();

    // Act
    const result = handler({ Records: [{ body: '{}' }] });

    // Assert
    await expect(result).rejects.toThrow(/not a Kafka event source mapping event/);
  });
});
