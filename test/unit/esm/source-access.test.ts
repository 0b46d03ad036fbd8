import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MappingConfigError, MappingSecretError } from '../../../emulators/esm/errors.ts';
import { readMappingCredentials } from '../../../emulators/esm/mapping-credentials.ts';
import { resolveServerlessConfig } from '../../../emulators/esm/serverless-config.ts';
import type { MappingAuthentication } from '../../../emulators/esm/source-access.ts';
import {
  type SecretsManagerEmulator,
  startSecretsManager,
} from '../../../emulators/secrets-manager/server.ts';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:kafka-AbC123';
const OTHER_SECRET = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:other-XyZ789';

/** A resolved configuration with one function subscribed by `event` (`{ kafka: … }` or `{ msk: … }`). */
const printed = (event: Record<string, unknown>, esm?: Record<string, unknown>): Record<string, unknown> => ({
  service: 'clickstream',
  provider: { name: 'aws', runtime: 'nodejs24.x', stage: 'dev', region: 'eu-west-1' },
  functions: {
    'aggregate-events': { handler: 'functions/aggregate-events/handler.handler', events: [event] },
  },
  ...(esm === undefined ? {} : { custom: { esm: { 'aggregate-events': esm } } }),
});

const kafka = (accessConfigurations: Record<string, unknown>) => ({
  kafka: { bootstrapServers: ['127.0.0.1:9092'], topic: 'clickstream-events', accessConfigurations },
});

const authenticationOf = (config: Record<string, unknown>) =>
  resolveServerlessConfig(config).mappings[0]?.authentication;

const refusal = (config: Record<string, unknown>): MappingConfigError => {
  try {
    resolveServerlessConfig(config);
  } catch (error) {
    if (error instanceof MappingConfigError) return error;
    throw error;
  }
  throw new Error('expected a MappingConfigError');
};

describe('SourceAccessConfigurations', () => {
  it.each([
    ['saslPlainAuth', 'BASIC_AUTH', 'plain'],
    ['saslScram512Auth', 'SASL_SCRAM_512_AUTH', 'scram-sha-512'],
    ['saslScram256Auth', 'SASL_SCRAM_256_AUTH', 'scram-sha-256'],
  ])("reads osls's kafka accessConfigurations.%s as %s (%s)", (key, type, mechanism) => {
    // Act
    const auth = authenticationOf(printed(kafka({ [key]: [SECRET] })));

    // Assert
    expect(auth).toEqual({ type, mechanism, secretId: SECRET });
  });

  it("reads osls's msk saslScram512 as SASL_SCRAM_512_AUTH", () => {
    // Act
    const auth = authenticationOf(
      printed({
        msk: { arn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/c/u', topic: 't', saslScram512: SECRET },
      }),
    );

    // Assert
    expect(auth).toEqual({ type: 'SASL_SCRAM_512_AUTH', mechanism: 'scram-sha-512', secretId: SECRET });
  });

  it('takes the CloudFormation shape from custom.esm, in place of the event’s', () => {
    // Act
    const auth = authenticationOf(
      printed(kafka({ saslPlainAuth: [OTHER_SECRET] }), {
        sourceAccessConfigurations: [{ Type: 'SASL_SCRAM_512_AUTH', URI: SECRET }],
      }),
    );

    // Assert
    expect(auth).toEqual({ type: 'SASL_SCRAM_512_AUTH', mechanism: 'scram-sha-512', secretId: SECRET });
  });

  it('needs no secret for VPC entries alone (the laptop has no VPC)', () => {
    // Act
    const auth = authenticationOf(
      printed(kafka({ vpcSubnet: ['subnet-local'], vpcSecurityGroup: ['sg-local'] })),
    );

    // Assert
    expect(auth).toBeUndefined();
  });

  it.each([
    [
      'an unknown Type',
      printed(kafka({}), { sourceAccessConfigurations: [{ Type: 'SASL_SCRAM_1024_AUTH', URI: SECRET }] }),
      'SourceAccessConfigurations[0].Type',
      /must be one of BASIC_AUTH, .*got "SASL_SCRAM_1024_AUTH"/,
    ],
    [
      'a missing URI',
      printed(kafka({}), { sourceAccessConfigurations: [{ Type: 'BASIC_AUTH' }] }),
      'SourceAccessConfigurations[0].URI',
      /is required for BASIC_AUTH/,
    ],
    [
      'a malformed URI',
      printed(kafka({}), { sourceAccessConfigurations: [{ Type: 'BASIC_AUTH', URI: 'secret with spaces' }] }),
      'SourceAccessConfigurations[0].URI',
      /must be 1–200 characters/,
    ],
    [
      'two authentications',
      printed(kafka({ saslPlainAuth: [SECRET], saslScram512Auth: [OTHER_SECRET] })),
      'SourceAccessConfigurations',
      /names 2 authentications \(BASIC_AUTH, SASL_SCRAM_512_AUTH\)/,
    ],
    [
      'BASIC_AUTH on Amazon MSK',
      printed(
        { msk: { arn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/c/u', topic: 't' } },
        { sourceAccessConfigurations: [{ Type: 'BASIC_AUTH', URI: SECRET }] },
      ),
      'SourceAccessConfigurations[0].Type',
      /BASIC_AUTH is not accepted for Amazon MSK/,
    ],
    [
      'mutual TLS',
      printed(kafka({ clientCertificateTlsAuth: [SECRET] })),
      'SourceAccessConfigurations',
      /CLIENT_CERTIFICATE_TLS_AUTH is not emulated/,
    ],
    [
      'an osls key that does not exist',
      printed(kafka({ saslScram1024Auth: [SECRET] })),
      'accessConfigurations.saslScram1024Auth',
      /is not an access configuration/,
    ],
  ])('stops the start on %s, naming the setting', (_case, config, setting, detail) => {
    // Act
    const error = refusal(config);

    // Assert
    expect(error.functionName).toBe('aggregate-events');
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(detail);
  });
});

describe('readMappingCredentials', () => {
  let secrets: SecretsManagerEmulator;
  let client: SecretsManagerClient;
  const auth: MappingAuthentication = { type: 'BASIC_AUTH', mechanism: 'plain', secretId: SECRET };

  beforeAll(async () => {
    secrets = await startSecretsManager({
      secrets: {
        [SECRET]: { username: 'clickstream', password: 'p4ss' },
        [OTHER_SECRET]: { username: 'clickstream' },
        'not-json': 'username=clickstream',
      },
    });
    client = new SecretsManagerClient({
      region: 'eu-west-1',
      endpoint: secrets.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client?.destroy();
    await secrets?.stop();
  });

  it("returns the secret's username and password with the mapping's mechanism", async () => {
    // Act
    const sasl = await readMappingCredentials(client, 'aggregate-events', auth);

    // Assert
    expect(sasl).toEqual({ mechanism: 'plain', username: 'clickstream', password: 'p4ss' });
  });

  it.each([
    [
      'missing',
      'arn:aws:secretsmanager:eu-west-1:000000000000:secret:gone',
      /does not exist in Secrets Manager/,
    ],
    ['without a password', OTHER_SECRET, /has no "password" string/],
    ['not JSON', 'not-json', /is not JSON/],
  ])('names the secret and the function when the secret is %s', async (_case, secretId, detail) => {
    // Act
    const error = await readMappingCredentials(client, 'aggregate-events', { ...auth, secretId }).catch(
      (caught: unknown) => caught,
    );

    // Assert
    expect(error).toBeInstanceOf(MappingSecretError);
    expect((error as Error).message).toContain('function "aggregate-events"');
    expect((error as Error).message).toContain(secretId);
    expect((error as Error).message).toContain('BASIC_AUTH, SASL/PLAIN');
    expect((error as Error).message).toMatch(detail);
  });
});
