import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../load-generator/config.ts';
import { ConfigError } from '../../../load-generator/errors.ts';
import { stackState } from '../../support/factories/stack-state.ts';

const stack = stackState({ pid: 1234, startedAt: '2025-06-01T12:00:00.000Z' });

describe('resolveConfig', () => {
  it('uses the running local stack when nothing is set', () => {
    const config = resolveConfig({}, stack);

    expect(config.kafka).toEqual({ brokers: ['127.0.0.1:9092'], source: 'local stack', ssl: false });
    expect(config.profiles).toMatchObject({
      tableName: 'clickstream-local-user-profiles',
      endpoint: 'http://127.0.0.1:8000',
      emulatorCredentials: true,
    });
  });

  it('has nowhere to go without the stack or KAFKA_BROKERS', () => {
    expect(resolveConfig({}, undefined)).toEqual({ kafka: undefined, profiles: undefined });
  });

  it('takes a registry and its API key for --format avro, refusing a key without a secret', () => {
    const config = resolveConfig(
      {
        SCHEMA_REGISTRY_URL: 'https://psrc-1.eu-west-1.aws.confluent.cloud',
        SCHEMA_REGISTRY_BASIC_AUTH: 'KEY:SE:CRET',
      },
      stack,
    );

    expect(config.schemaRegistryUrl).toBe('https://psrc-1.eu-west-1.aws.confluent.cloud');
    expect(config.schemaRegistryBasicAuth).toBe('KEY:SE:CRET');
    expect(() => resolveConfig({ SCHEMA_REGISTRY_BASIC_AUTH: 'KEY' }, stack)).toThrow(
      /SCHEMA_REGISTRY_BASIC_AUTH/,
    );
  });

  it('prefers KAFKA_BROKERS with SASL/SSL, as for Confluent Cloud', () => {
    const config = resolveConfig(
      {
        KAFKA_BROKERS: 'pkc-1.eu-west-1.aws.confluent.cloud:9092, pkc-2.eu-west-1.aws.confluent.cloud:9092',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'KEY',
        KAFKA_SASL_PASSWORD: 'SECRET',
        KAFKA_SSL: 'true',
      },
      stack,
    );

    expect(config.kafka).toEqual({
      brokers: ['pkc-1.eu-west-1.aws.confluent.cloud:9092', 'pkc-2.eu-west-1.aws.confluent.cloud:9092'],
      source: 'KAFKA_BROKERS',
      ssl: true,
      sasl: { mechanism: 'plain', username: 'KEY', password: 'SECRET' },
    });
  });

  it('writes profiles to USER_PROFILES_TABLE on AWS when no endpoint is set', () => {
    const config = resolveConfig(
      { KAFKA_BROKERS: 'b:9092', USER_PROFILES_TABLE: 'clickstream-dev-user-profiles' },
      undefined,
    );

    expect(config.profiles).toEqual({
      tableName: 'clickstream-dev-user-profiles',
      source: 'USER_PROFILES_TABLE',
      emulatorCredentials: false,
    });
  });

  it.each([
    [{ KAFKA_BROKERS: 'localhost' }, /KAFKA_BROKERS/],
    [
      { KAFKA_BROKERS: 'b:9092', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'x' },
      /KAFKA_SASL_USERNAME/,
    ],
    [{ KAFKA_BROKERS: 'b:9092', KAFKA_SASL_MECHANISM: 'oauthbearer' }, /KAFKA_SASL_MECHANISM/],
    [{ KAFKA_SSL: 'yes' }, /KAFKA_SSL/],
    [{ DYNAMODB_ENDPOINT: 'not a url' }, /DYNAMODB_ENDPOINT/],
  ])('names the invalid variable in %j', (env, name) => {
    expect(() => resolveConfig(env, undefined)).toThrow(ConfigError);
    expect(() => resolveConfig(env, undefined)).toThrow(name);
  });
});

describe('MSK IAM', () => {
  it('takes aws-msk-iam with a region and no username or password', () => {
    const config = resolveConfig(
      {
        KAFKA_BROKERS: 'b-1.msk.example:9098',
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'aws-msk-iam',
        AWS_REGION: 'eu-west-1',
      },
      undefined,
    );

    expect(config.kafka?.sasl).toEqual({ mechanism: 'aws-msk-iam', region: 'eu-west-1' });
  });

  it('names AWS_REGION when it is missing', () => {
    expect(() =>
      resolveConfig(
        { KAFKA_BROKERS: 'b-1.msk.example:9098', KAFKA_SASL_MECHANISM: 'aws-msk-iam' },
        undefined,
      ),
    ).toThrow(/AWS_REGION/);
  });
});
