import { z } from 'zod';
import { endpointUrl, readEnv } from '../services/commons/env.ts';
import { type KafkaEndpoint, resolveEndpoints } from '../tooling/endpoints.ts';
import { readStackState, type StackState } from '../tooling/stack-state.ts';
import { ConfigError } from './errors.ts';

// Kafka and the registry's URL: tooling/endpoints.ts; DynamoDB is read here, where the
// profiles' table decides which endpoint applies.
const EnvSchema = z.object({
  AWS_REGION: z.string().min(1, 'must not be empty').optional(),
  USER_PROFILES_TABLE: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'a DynamoDB table name')
    .optional(),
  DYNAMODB_ENDPOINT: endpointUrl().optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  // Confluent's client setting basic.auth.user.info: `<API key>:<API secret>`.
  SCHEMA_REGISTRY_BASIC_AUTH: z
    .string()
    .regex(/^[^:]+:.+$/, 'API key and secret as <key>:<secret>')
    .optional(),
});

/** How to reach Kafka: the project's connection settings, and where they came from. */
export type KafkaSettings = KafkaEndpoint;

/** Where user profiles go. */
export interface ProfilesTarget {
  tableName: string;
  /** A DynamoDB-compatible endpoint (dynalite, DynamoDB Local); AWS itself when absent. */
  endpoint?: string;
  region?: string;
  /** An emulator takes any credentials: fixed ones unless AWS_ACCESS_KEY_ID is set. */
  emulatorCredentials: boolean;
  source: 'USER_PROFILES_TABLE' | 'local stack';
}

/** The load generator's settings from the environment and the running local stack. */
export interface LoadGeneratorConfig {
  /** Undefined when neither KAFKA_BROKERS nor a running stack says where Kafka is. */
  kafka: KafkaSettings | undefined;
  profiles: ProfilesTarget | undefined;
  /** Where `--format avro` registers its schema: SCHEMA_REGISTRY_URL, else the local stack's registry. */
  schemaRegistryUrl: string | undefined;
  /** SCHEMA_REGISTRY_BASIC_AUTH (`key:secret`), for a registry that asks for it (Confluent Cloud). */
  schemaRegistryBasicAuth: string | undefined;
}

/**
 * Resolves the configuration. Environment variables win; otherwise the local stack's
 * endpoints file (`npm run stack -- up`) is used.
 *
 * @throws {ConfigError} naming every variable that is invalid.
 */
export const resolveConfig = (
  env: Readonly<Record<string, string | undefined>>,
  stack: StackState | undefined,
): LoadGeneratorConfig => {
  const makeError = (message: string, options: ErrorOptions) => new ConfigError(message, options);
  const endpoints = resolveEndpoints(env, stack, makeError);
  const e = readEnv(EnvSchema, env, makeError);
  const kafka = endpoints.kafka;

  let profiles: ProfilesTarget | undefined;
  const region = e.AWS_REGION !== undefined ? { region: e.AWS_REGION } : {};
  if (e.USER_PROFILES_TABLE !== undefined) {
    profiles = {
      tableName: e.USER_PROFILES_TABLE,
      source: 'USER_PROFILES_TABLE',
      emulatorCredentials: e.DYNAMODB_ENDPOINT !== undefined && e.AWS_ACCESS_KEY_ID === undefined,
      ...(e.DYNAMODB_ENDPOINT !== undefined ? { endpoint: e.DYNAMODB_ENDPOINT } : {}),
      ...region,
    };
  } else if (stack !== undefined) {
    profiles = {
      tableName: stack.tables.userProfiles,
      source: 'local stack',
      emulatorCredentials: e.AWS_ACCESS_KEY_ID === undefined,
      endpoint: e.DYNAMODB_ENDPOINT ?? stack.dynamodbEndpoint,
      ...region,
    };
  }
  const schemaRegistryUrl = endpoints.schemaRegistryUrl;
  return Object.freeze({
    kafka,
    profiles,
    schemaRegistryUrl,
    schemaRegistryBasicAuth: e.SCHEMA_REGISTRY_BASIC_AUTH,
  });
};

/** {@link resolveConfig} over `process.env` and the running stack, read once at start-up. */
export const loadConfig = (): LoadGeneratorConfig => resolveConfig(process.env, readStackState());

/** The message for "nowhere to send to". */
export const NO_KAFKA_MESSAGE =
  'no Kafka to connect to: start the local stack with `npm run stack -- up`, or set KAFKA_BROKERS (host:port,…)';

/** The message for `--format avro` with no registry. */
export const NO_REGISTRY_MESSAGE =
  '--format avro needs a schema registry: start the local stack with `npm run stack -- up`, or set SCHEMA_REGISTRY_URL';
