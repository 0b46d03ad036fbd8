/**
 * Reads a mapping's SASL credentials from its Secrets Manager secret, as Lambda does for a
 * Kafka mapping with BASIC_AUTH or SASL_SCRAM_*_AUTH: the secret's SecretString is JSON with
 * `username` and `password` (https://docs.aws.amazon.com/lambda/latest/dg/kafka-cluster-auth.html;
 * the format: https://docs.aws.amazon.com/msk/latest/developerguide/msk-password-tutorial.html).
 */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import type { SaslSettings } from '../../services/kafka/connection.ts';
import { MappingSecretError } from './errors.ts';
import { type MappingAuthentication, mechanismLabel } from './source-access.ts';

const SecretCredentials = z.object({
  username: z.string({ error: 'has no "username" string' }).min(1, 'has an empty "username"'),
  password: z.string({ error: 'has no "password" string' }).min(1, 'has an empty "password"'),
});

/** The Secrets Manager client for a region; one per region, built by the caller. */
export type SecretsManagerClientFor = (region: string) => SecretsManagerClient;

/**
 * The clients the CLI uses: the SDK's own endpoint resolution (AWS_ENDPOINT_URL_SECRETS_MANAGER
 * points it at the local stand-in), and fixed dummy credentials for that stand-in when the
 * environment has none, so the SDK does not search the machine for real ones.
 */
export const secretsManagerClients = (settings: {
  readonly localEndpoint: boolean;
  readonly hasCredentials: boolean;
}): SecretsManagerClientFor => {
  const clients = new Map<string, SecretsManagerClient>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = new SecretsManagerClient({
        region,
        ...(settings.localEndpoint && !settings.hasCredentials
          ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
          : {}),
      });
      clients.set(region, client);
    }
    return client;
  };
};

/** A username and password kept in a secret, as Lambda reads them. */
interface SecretUserPassword {
  readonly username: string;
  readonly password: string;
}

/**
 * A `{"username", "password"}` secret.
 *
 * @throws {MappingSecretError} naming the function, the setting, the secret and what is wrong:
 *   missing, unreadable, not JSON, or without a username or password.
 */
const readUserPassword = async (
  client: SecretsManagerClient,
  fnKey: string,
  secretId: string,
  setting: string,
): Promise<SecretUserPassword> => {
  const fail = (detail: string, cause?: unknown): MappingSecretError =>
    new MappingSecretError(fnKey, secretId, setting, detail, { cause });
  let secretString: string | undefined;
  try {
    ({ SecretString: secretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId })));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) throw fail('does not exist in Secrets Manager', error);
    throw fail(
      `could not be read from Secrets Manager: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  if (secretString === undefined) throw fail('holds no SecretString (a binary secret)');
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch (error) {
    throw fail('is not JSON {"username": …, "password": …}', error);
  }
  const credentials = SecretCredentials.safeParse(value);
  if (!credentials.success) {
    throw fail(credentials.error.issues.map((issue) => issue.message).join(', '), credentials.error);
  }
  return credentials.data;
};

/**
 * The mapping's SASL settings, from its secret.
 *
 * @throws {MappingSecretError} naming the function, the secret and what is wrong.
 */
export const readMappingCredentials = async (
  client: SecretsManagerClient,
  fnKey: string,
  auth: MappingAuthentication,
): Promise<SaslSettings> => ({
  mechanism: auth.mechanism,
  ...(await readUserPassword(
    client,
    fnKey,
    auth.secretId,
    `SourceAccessConfigurations (${auth.type}, ${mechanismLabel(auth)})`,
  )),
});

/**
 * The schema registry's BASIC_AUTH credentials as `username:password` (HTTP Basic), from the
 * secret named by SchemaRegistryConfig.AccessConfigs — for Confluent Cloud, the registry's API
 * key and secret (https://docs.aws.amazon.com/lambda/latest/api/API_KafkaSchemaRegistryAccessConfig.html:
 * "provide the AWS Secrets Manager secret ARN in the URI field"). AWS does not spell out the
 * secret's fields for the registry; read here as `username` and `password`, the format of the
 * cluster's BASIC_AUTH secret.
 *
 * @throws {MappingSecretError} naming the function, the secret and what is wrong.
 */
export const readRegistryCredentials = async (
  client: SecretsManagerClient,
  fnKey: string,
  secretId: string,
): Promise<string> => {
  const { username, password } = await readUserPassword(
    client,
    fnKey,
    secretId,
    'SchemaRegistryConfig.AccessConfigs (BASIC_AUTH)',
  );
  return `${username}:${password}`;
};
