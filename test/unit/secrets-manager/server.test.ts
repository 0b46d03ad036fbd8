import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerEmulatorError } from '../../../emulators/secrets-manager/errors.ts';
import {
  type SecretsManagerEmulator,
  startSecretsManager,
} from '../../../emulators/secrets-manager/server.ts';
import { SecretStore, seedFromFile } from '../../../emulators/secrets-manager/store.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:kafka-credentials-AbC123';
const CREDENTIALS = { username: 'clickstream', password: 's3cr3t' };

let secrets: SecretsManagerEmulator;
let client: SecretsManagerClient;

beforeAll(async () => {
  secrets = await startSecretsManager({ secrets: { [ARN]: CREDENTIALS, 'plain-name': 'just text' } });
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

describe('the Secrets Manager stand-in, through the real SDK client', () => {
  it('answers GetSecretValue by ARN with the documented fields', async () => {
    // Act
    const result = await client.send(new GetSecretValueCommand({ SecretId: ARN }));

    // Assert
    expect(result.ARN).toBe(ARN);
    expect(result.Name).toBe('kafka-credentials-AbC123');
    expect(JSON.parse(result.SecretString ?? '')).toEqual(CREDENTIALS);
    expect(result.VersionStages).toEqual(['AWSCURRENT']);
    expect(result.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs((result.CreatedDate?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('finds a secret seeded by name by its name and by the ARN it was given', async () => {
    // Act
    const byName = await client.send(new GetSecretValueCommand({ SecretId: 'plain-name' }));
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: byName.ARN }));

    // Assert
    expect(byName.SecretString).toBe('just text');
    expect(byName.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:plain-name-[A-Za-z0-9]{6}$/,
    );
    expect(byArn.SecretString).toBe('just text');
  });

  it('answers an unknown secret with ResourceNotFoundException, as AWS words it', async () => {
    // Act
    const failure = await client
      .send(
        new GetSecretValueCommand({ SecretId: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:nope' }),
      )
      .catch((error: unknown) => error);

    // Assert
    expect(failure).toBeInstanceOf(ResourceNotFoundException);
    expect((failure as ResourceNotFoundException).message).toBe(
      "Secrets Manager can't find the specified secret.",
    );
    expect((failure as ResourceNotFoundException).$metadata.httpStatusCode).toBe(400);
  });

  it('has only the AWSCURRENT version', async () => {
    // Act
    const failure = await client
      .send(new GetSecretValueCommand({ SecretId: ARN, VersionStage: 'AWSPREVIOUS' }))
      .catch((error: unknown) => error);

    // Assert
    expect(failure).toBeInstanceOf(ResourceNotFoundException);
    expect((failure as Error).message).toContain('staging label: AWSPREVIOUS');
  });

  it('is reached through AWS_ENDPOINT_URL_SECRETS_MANAGER, with no endpoint in the code', async () => {
    // Prepare
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;
    const before = secrets.requests();
    let fromEnv: SecretsManagerClient | undefined;
    try {
      fromEnv = new SecretsManagerClient({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });

      // Act
      const result = await fromEnv.send(new GetSecretValueCommand({ SecretId: ARN }));

      // Assert
      expect(JSON.parse(result.SecretString ?? '')).toEqual(CREDENTIALS);
      expect(secrets.requests()).toBe(before + 1);
    } finally {
      fromEnv?.destroy();
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    }
  });

  it('refuses operations it does not emulate, as an AWS JSON error', async () => {
    // Act
    const response = await fetch(secrets.endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'secretsmanager.DeleteSecret',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: JSON.stringify({ SecretId: ARN }),
    });

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});

describe('seedFromFile', () => {
  it('stores objects as their JSON and strings as they are', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ [ARN]: CREDENTIALS, token: 'abc' }));
    const store = new SecretStore();

    // Act
    try {
      seedFromFile(store, file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // Assert
    expect(JSON.parse(store.get({ secretId: ARN }).secretString)).toEqual(CREDENTIALS);
    expect(store.get({ secretId: 'token' }).secretString).toBe('abc');
  });

  it('names the file when it is not a map of secrets', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ kafka: 42 }));

    // Act / Assert
    try {
      expect(() => seedFromFile(new SecretStore(), file)).toThrow(SecretsManagerEmulatorError);
      expect(() => seedFromFile(new SecretStore(), file)).toThrow(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
