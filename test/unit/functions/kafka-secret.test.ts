import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type KafkaSecretReference,
  readKafkaSecret,
  type SecretFetcher,
} from '../../../functions/commons/clients/kafka-secret.ts';
import { readEnv } from '../../../services/commons/env.ts';
import { ConfigError } from '../../../services/commons/errors.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clickstream/confluent-AbCdEf';
const REFERENCE: KafkaSecretReference = { arn: SECRET_ARN, mechanism: 'plain' };

/** A Secrets Manager stand-in holding one SecretString per ARN, counting reads. */
const fakeSecrets = (values: Record<string, unknown>) => {
  const reads: string[] = [];
  const fetch: SecretFetcher = async (arn) => {
    reads.push(arn);
    if (!(arn in values)) throw new Error(`Secrets Manager can't find the specified secret.`);
    return values[arn];
  };
  return { fetch, reads };
};

// clients/kafka.ts reads the environment when it loads: set it first, then import it.
beforeEach(() => {
  vi.stubEnv('KAFKA_BROKERS', '127.0.0.1:9092');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('readKafkaSecret', () => {
  it('reads the username and password of the JSON secret, with the configured mechanism', async () => {
    // Prepare
    const secrets = fakeSecrets({
      [SECRET_ARN]: JSON.stringify({ username: 'CONFLUENTKEY', password: 's3cr3t' }),
    });

    // Act
    const sasl = await readKafkaSecret(REFERENCE, secrets.fetch);

    // Assert
    expect(sasl).toEqual({ mechanism: 'plain', username: 'CONFLUENTKEY', password: 's3cr3t' });
    expect(secrets.reads).toEqual([SECRET_ARN]);
  });

  it.each([
    ['a missing field', JSON.stringify({ username: 'CONFLUENTKEY' }), /password is required but not set/],
    ['an empty field', JSON.stringify({ username: '', password: 'x' }), /username must not be empty/],
    ['text that is not JSON', 'CONFLUENTKEY:s3cr3t-not-json', /the value is not JSON/],
    ['a binary secret', new Uint8Array([1, 2, 3]), /must be a SecretString/],
  ])('names the secret and the field on %s, never the value', async (_case, value, message) => {
    // Prepare
    const secrets = fakeSecrets({ [SECRET_ARN]: value });

    // Act
    const read = readKafkaSecret(REFERENCE, secrets.fetch);

    // Assert
    const error = await read.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(message);
    expect(String(error)).toContain(SECRET_ARN);
    expect(String(error)).not.toContain('s3cr3t');
  });

  it('names the secret when it cannot be read, keeping the cause', async () => {
    // Prepare
    const secrets = fakeSecrets({});

    // Act
    const error = await readKafkaSecret(REFERENCE, secrets.fetch).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    // Assert
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain(
      `cannot read the Kafka SASL secret ${SECRET_ARN} (KAFKA_SASL_SECRET_ARN)`,
    );
    expect((error as ConfigError).cause).toBeInstanceOf(Error);
  });
});

describe('Kafka client config with KAFKA_SASL_SECRET_ARN', () => {
  it('leaves the credentials in the secret until init resolves them', async () => {
    // Prepare
    const { KafkaEnvSchema, resolveKafkaSettings } = await import(
      '../../../functions/commons/clients/kafka.ts'
    );
    const secrets = fakeSecrets({ [SECRET_ARN]: JSON.stringify({ username: 'KEY', password: 'SECRET' }) });
    const env = readEnv(KafkaEnvSchema, {
      KAFKA_BROKERS: 'pkc-12345.eu-west-1.aws.confluent.cloud:9092',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_SECRET_ARN: SECRET_ARN,
    });

    // Act
    const settings = await resolveKafkaSettings(env, secrets.fetch);

    // Assert
    expect(env.connection.sasl).toBeUndefined();
    expect(env.saslSecret).toEqual(REFERENCE);
    expect(settings.connection).toEqual({
      brokers: ['pkc-12345.eu-west-1.aws.confluent.cloud:9092'],
      ssl: true,
      sasl: { mechanism: 'plain', username: 'KEY', password: 'SECRET' },
    });
    expect(settings).not.toHaveProperty('saslSecret');
  });

  it('reads no secret when the credentials are in the environment (the laptop, self-managed Kafka)', async () => {
    // Prepare
    const { KafkaEnvSchema, resolveKafkaSettings } = await import(
      '../../../functions/commons/clients/kafka.ts'
    );
    const secrets = fakeSecrets({});
    const env = readEnv(KafkaEnvSchema, {
      KAFKA_BROKERS: '127.0.0.1:9094',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'clickstream',
      KAFKA_SASL_PASSWORD: 'secret',
    });

    // Act
    const settings = await resolveKafkaSettings(env, secrets.fetch);

    // Assert
    expect(settings.connection.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'clickstream',
      password: 'secret',
    });
    expect(secrets.reads).toEqual([]);
  });

  it('refuses a secret ARN with credentials in the environment, without a usable mechanism, or malformed', async () => {
    // Prepare
    const { KafkaEnvSchema } = await import('../../../functions/commons/clients/kafka.ts');

    // Act
    const withCredentials = () =>
      readEnv(KafkaEnvSchema, {
        KAFKA_BROKERS: 'b:9092',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_SECRET_ARN: SECRET_ARN,
        KAFKA_SASL_PASSWORD: 'x',
      });
    const withoutMechanism = () =>
      readEnv(KafkaEnvSchema, { KAFKA_BROKERS: 'b:9092', KAFKA_SASL_SECRET_ARN: SECRET_ARN });
    const malformed = () =>
      readEnv(KafkaEnvSchema, {
        KAFKA_BROKERS: 'b:9092',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_SECRET_ARN: 'confluent',
      });

    // Assert
    expect(withCredentials).toThrow(/KAFKA_SASL_PASSWORD must not be set with KAFKA_SASL_SECRET_ARN/);
    expect(withoutMechanism).toThrow(/KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512/);
    expect(malformed).toThrow(/KAFKA_SASL_SECRET_ARN must be a Secrets Manager secret ARN/);
  });
});
