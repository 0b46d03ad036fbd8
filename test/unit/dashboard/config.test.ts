import { describe, expect, it } from 'vitest';
import { DEFAULT_DEAD_LETTER_TOPIC, readDashboardConfig } from '../../../dashboard/config.ts';
import { DashboardConfigError } from '../../../dashboard/errors.ts';
import type { StackState } from '../../../tooling/stack-state.ts';

const stack: StackState = {
  pid: 4242,
  startedAt: '2026-11-25T10:00:00.000Z',
  kafkaBrokers: ['127.0.0.1:9092'],
  dynamodbEndpoint: 'http://127.0.0.1:8000',
  tables: { analytics: 'clickstream-local-analytics', userProfiles: 'clickstream-local-user-profiles' },
  launched: { kafka: true, dynamodb: true },
};

describe('readDashboardConfig', () => {
  it('reads the running local stack by default', () => {
    // Act
    const config = readDashboardConfig({}, stack);

    // Assert
    expect(config).toEqual({
      dynamodb: { region: 'us-east-1', endpoint: 'http://127.0.0.1:8000', dummyCredentials: true },
      tables: { analytics: 'clickstream-local-analytics', userProfiles: 'clickstream-local-user-profiles' },
      kafkaBrokers: ['127.0.0.1:9092'],
      deadLetterTopic: DEFAULT_DEAD_LETTER_TOPIC,
      source: 'local stack (http://127.0.0.1:8000)',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads a deployed table from AWS with the region and no local endpoint', () => {
    // Act
    const config = readDashboardConfig(
      { ANALYTICS_TABLE: 'clickstream-dev-analytics', AWS_REGION: 'eu-west-1', AWS_PROFILE: 'dev' },
      stack,
    );

    // Assert
    expect(config.dynamodb).toEqual({ region: 'eu-west-1', endpoint: undefined, dummyCredentials: false });
    expect(config.tables).toEqual({ analytics: 'clickstream-dev-analytics' });
    expect(config.kafkaBrokers).toBeUndefined();
    expect(config.source).toBe('AWS eu-west-1');
  });

  it('reads a table at a local endpoint, with the brokers given', () => {
    // Act
    const config = readDashboardConfig(
      {
        ANALYTICS_TABLE: 'mine',
        USER_PROFILES_TABLE: 'my-profiles',
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:4567',
        KAFKA_BROKERS: 'localhost:19092,localhost:19093',
        DLQ_TOPIC: 'my-dlq',
      },
      undefined,
    );

    // Assert
    expect(config.dynamodb).toEqual({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4567',
      dummyCredentials: true,
    });
    expect(config.tables).toEqual({ analytics: 'mine', userProfiles: 'my-profiles' });
    expect(config.kafkaBrokers).toEqual(['localhost:19092', 'localhost:19093']);
    expect(config.deadLetterTopic).toBe('my-dlq');
  });

  it('reads the deployed mappings whose CloudWatch metrics make the health panel', () => {
    // Act
    const config = readDashboardConfig(
      {
        ANALYTICS_TABLE: 'clickstream-dev-analytics',
        AWS_REGION: 'eu-west-1',
        EVENT_SOURCE_MAPPINGS:
          'clickstream-dev-aggregate-events:6f0a7c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b:clickstream-events, clickstream-dev-enrich-events:0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e:clickstream-events:enrich',
      },
      undefined,
    );

    // Assert
    expect(config.cloudWatch).toEqual({
      region: 'eu-west-1',
      mappings: [
        {
          functionName: 'clickstream-dev-aggregate-events',
          uuid: '6f0a7c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b',
          topic: 'clickstream-events',
        },
        {
          functionName: 'clickstream-dev-enrich-events',
          uuid: '0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e',
          topic: 'clickstream-events',
          consumerGroup: 'enrich',
        },
      ],
    });
    expect(readDashboardConfig({}, stack).cloudWatch).toBeUndefined();
  });

  it.each([
    [{}, undefined, 'the local stack is not running'],
    [
      { EVENT_SOURCE_MAPPINGS: 'aggregate-events:6f0a7c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b:clickstream-events' },
      stack,
      'AWS_REGION is not set: it is required to read the CloudWatch metrics of EVENT_SOURCE_MAPPINGS',
    ],
    [
      { EVENT_SOURCE_MAPPINGS: 'aggregate-events:not-a-uuid:clickstream-events', AWS_REGION: 'eu-west-1' },
      stack,
      'EVENT_SOURCE_MAPPINGS has "aggregate-events:not-a-uuid:clickstream-events": each entry must be function:uuid:topic[:group]',
    ],
    [{ ANALYTICS_TABLE: 'clickstream-dev-analytics' }, undefined, 'AWS_REGION is not set'],
    [{ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }, stack, 'ANALYTICS_TABLE is not set'],
    [{ DYNAMODB_ENDPOINT: 'localhost' }, stack, 'DYNAMODB_ENDPOINT must be a URL'],
    [{ KAFKA_BROKERS: 'localhost' }, stack, 'KAFKA_BROKERS must be host:port'],
  ])('refuses %o, naming what to set', (env, state, message) => {
    // Act / Assert
    expect(() => readDashboardConfig(env, state)).toThrow(DashboardConfigError);
    expect(() => readDashboardConfig(env, state)).toThrow(message);
  });
});
