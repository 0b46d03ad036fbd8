import { describe, expect, it } from 'vitest';
import { AppError, ConfigError } from '../../../services/commons/errors.ts';
import { toKafkaConnection, toKafkaEnv } from '../../../services/kafka/connection.ts';
import { resolveEndpoints } from '../../../tooling/endpoints.ts';
import { stackState } from '../../support/factories/stack-state.ts';

const stack = stackState({
  schemaRegistryUrl: 'http://127.0.0.1:8081',
  tables: { analytics: 'stack-analytics', userProfiles: 'stack-profiles' },
});

describe('resolveEndpoints', () => {
  it('takes every endpoint from the running stack when the environment names none', () => {
    const endpoints = resolveEndpoints({}, stack);

    expect(endpoints.kafka).toEqual({
      brokers: ['127.0.0.1:9092'],
      ssl: false,
      sasl: undefined,
      source: 'local stack',
    });
    expect(endpoints.dynamodbEndpoint).toBe('http://127.0.0.1:8000');
    expect(endpoints.schemaRegistryUrl).toBe('http://127.0.0.1:8081');
    expect(endpoints.tables).toEqual({ analytics: 'stack-analytics', userProfiles: 'stack-profiles' });
    expect(endpoints.fromEnvironment).toEqual({
      kafka: false,
      dynamodbEndpoint: false,
      schemaRegistryUrl: false,
    });
  });

  it('prefers the environment, variable by variable', () => {
    const endpoints = resolveEndpoints(
      { KAFKA_BROKERS: 'a:1, b:2', KAFKA_SSL: 'true', DYNAMODB_ENDPOINT: 'http://db:8000' },
      stack,
    );

    expect(endpoints.kafka).toEqual({
      brokers: ['a:1', 'b:2'],
      ssl: true,
      sasl: undefined,
      source: 'KAFKA_BROKERS',
    });
    expect(endpoints.dynamodbEndpoint).toBe('http://db:8000');
    expect(endpoints.schemaRegistryUrl).toBe('http://127.0.0.1:8081');
    expect(endpoints.fromEnvironment).toEqual({
      kafka: true,
      dynamodbEndpoint: true,
      schemaRegistryUrl: false,
    });
  });

  it('has no Kafka without the environment or a stack', () => {
    expect(resolveEndpoints({}, undefined).kafka).toBeUndefined();
  });

  it('names every bad variable at once, through the caller’s error', () => {
    class ToolError extends AppError {
      readonly code = 'TOOL';
    }
    const resolve = () =>
      resolveEndpoints(
        { KAFKA_BROKERS: 'no-port', DYNAMODB_ENDPOINT: 'not a url', KAFKA_SASL_MECHANISM: 'plain' },
        stack,
        (message, options) => new ToolError(message, options),
      );

    expect(resolve).toThrow(ToolError);
    expect(resolve).toThrow(/KAFKA_BROKERS.*DYNAMODB_ENDPOINT.*KAFKA_SASL_USERNAME/);
  });

  it('throws a ConfigError by default', () => {
    expect(() => resolveEndpoints({ KAFKA_SSL: 'maybe' }, undefined)).toThrow(ConfigError);
  });
});

describe('toKafkaEnv', () => {
  it('is the inverse of reading the variables', () => {
    for (const connection of [
      { brokers: ['a:1'], ssl: false, sasl: undefined },
      {
        brokers: ['a:1', 'b:2'],
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
      },
      { brokers: ['a:1'], ssl: true, sasl: { mechanism: 'aws-msk-iam', region: 'eu-west-1' } },
    ] as const) {
      const env = toKafkaEnv(connection);
      const back = toKafkaConnection({
        KAFKA_BROKERS: env.KAFKA_BROKERS?.split(','),
        KAFKA_SSL: env.KAFKA_SSL === 'true',
        KAFKA_SASL_MECHANISM: env.KAFKA_SASL_MECHANISM as never,
        KAFKA_SASL_USERNAME: env.KAFKA_SASL_USERNAME,
        KAFKA_SASL_PASSWORD: env.KAFKA_SASL_PASSWORD,
        AWS_REGION: env.AWS_REGION,
      });

      expect(back).toEqual(connection);
    }
  });
});
