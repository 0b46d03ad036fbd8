import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { brokerList, positiveInt, readEnv, requiredString } from '../../../services/commons/env.ts';
import { ConfigError } from '../../../services/commons/errors.ts';

// The modules read the environment when they load: set it first, then import them.
beforeEach(() => {
  vi.stubEnv('ANALYTICS_TABLE', 'analytics');
  vi.stubEnv('DLQ_TOPIC', 'clickstream-dlq');
  vi.stubEnv('KAFKA_BROKERS', '127.0.0.1:9092');
  vi.stubEnv('AWS_REGION', 'us-east-1');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('aggregate-events config', () => {
  it('reads the settings, with the documented defaults', async () => {
    // Act
    const { config } = await import('../../../functions/aggregate-events/config.ts');

    // Assert
    expect(config).toEqual({
      analyticsTable: 'analytics',
      deadLetterTopic: 'clickstream-dlq',
      reportBatchItemFailures: false,
      retentionDays: 30,
      writeConcurrency: 16,
      eventTimeBounds: { maxPastMs: 7 * 86_400_000, maxFutureMs: 86_400_000 },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every missing or invalid variable', async () => {
    // Prepare
    const { AggregateEventsEnvSchema } = await import('../../../functions/aggregate-events/config.ts');

    // Act
    const read = () =>
      readEnv(AggregateEventsEnvSchema, { DLQ_TOPIC: '', AGGREGATE_RETENTION_DAYS: 'a week' });

    // Assert
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/ANALYTICS_TABLE is required but not set/);
    expect(read).toThrow(/DLQ_TOPIC must not be empty/);
    expect(read).toThrow(/AGGREGATE_RETENTION_DAYS must be a positive integer/);
  });
});

describe('Kafka client config', () => {
  it('reads brokers, TLS and SASL', async () => {
    // Prepare
    const { KafkaEnvSchema } = await import('../../../functions/commons/clients/kafka.ts');

    // Act
    const settings = readEnv(KafkaEnvSchema, {
      KAFKA_BROKERS: 'b-1.example:9096, b-2.example:9096',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'clickstream',
      KAFKA_SASL_PASSWORD: 'secret',
      AWS_LAMBDA_FUNCTION_NAME: 'clickstream-dev-aggregate-events',
    });

    // Assert
    expect(settings).toEqual({
      connection: {
        brokers: ['b-1.example:9096', 'b-2.example:9096'],
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'clickstream', password: 'secret' },
      },
      clientId: 'clickstream-dev-aggregate-events',
      maxIdleMs: 300_000,
    });
  });

  it('authenticates to MSK with IAM through OAUTHBEARER, needing only the region', async () => {
    // Prepare
    const { KafkaEnvSchema } = await import('../../../functions/commons/clients/kafka.ts');

    // Act
    const settings = readEnv(KafkaEnvSchema, {
      KAFKA_BROKERS: 'b-1.msk.example:9098',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'aws-msk-iam',
      AWS_REGION: 'eu-west-1',
    });

    // Assert
    expect(settings.connection.sasl).toEqual({ mechanism: 'aws-msk-iam', region: 'eu-west-1' });
    const { saslOptions } = await import('../../../services/kafka/client.ts');
    const sasl = saslOptions({ mechanism: 'aws-msk-iam', region: 'eu-west-1' });
    expect(sasl.mechanism).toBe('oauthbearer');
    expect(sasl).toHaveProperty('oauthBearerProvider');
    expect(() =>
      readEnv(KafkaEnvSchema, { KAFKA_BROKERS: 'b-1.msk.example:9098', KAFKA_SASL_MECHANISM: 'aws-msk-iam' }),
    ).toThrow(/AWS_REGION/);
  });

  it('requires the SASL credentials when a mechanism is set', async () => {
    // Prepare
    const { KafkaEnvSchema } = await import('../../../functions/commons/clients/kafka.ts');

    // Act
    const read = () => readEnv(KafkaEnvSchema, { KAFKA_BROKERS: 'b:9092', KAFKA_SASL_MECHANISM: 'plain' });

    // Assert
    expect(read).toThrow(/KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set/);
    expect(read).toThrow(/KAFKA_SASL_PASSWORD is required/);
  });
});

describe('DynamoDB client config', () => {
  it('names a missing AWS_REGION', async () => {
    // Prepare
    const { DynamoDbEnvSchema } = await import('../../../functions/commons/clients/dynamodb.ts');

    // Act
    const read = () => readEnv(DynamoDbEnvSchema, { DYNAMODB_ENDPOINT: 'http://127.0.0.1:4567' });

    // Assert
    expect(read).toThrow(/AWS_REGION is required but not set/);
  });
});

describe('aggregate-events retention', () => {
  it('refuses a retention no longer than the topic keeps records', async () => {
    const { AggregateEventsEnvSchema } = await import('../../../functions/aggregate-events/config.ts');

    const read = () =>
      readEnv(AggregateEventsEnvSchema, {
        ANALYTICS_TABLE: 't',
        DLQ_TOPIC: 'd',
        AGGREGATE_RETENTION_DAYS: '7',
      });

    expect(read).toThrow(/AGGREGATE_RETENTION_DAYS must be more than the events topic's retention/);
  });
});

describe('readEnv', () => {
  it('names every bad variable in one error, not only the first', () => {
    const schema = z.object({ A: requiredString(), B: positiveInt(1), C: brokerList() });

    const read = () => readEnv(schema, { B: 'x', C: 'host:1,nohost' });

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      'invalid environment: A is required but not set; B must be a positive integer; C must be host:port',
    );
  });
});
