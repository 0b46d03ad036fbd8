import { z } from 'zod';
import { endpointUrl, readEnv } from '../services/commons/env.ts';
import {
  type KafkaConnection,
  kafkaEnvShape,
  plaintextConnection,
  refineKafkaEnv,
  toKafkaConnection,
} from '../services/kafka/connection.ts';
import { readStackState, type StackState } from '../tooling/stack-state.ts';
import { ConfigError } from './errors.ts';

const EnvSchema = z
  .object({
    ...kafkaEnvShape({ brokersRequired: false }),
    USER_PROFILES_TABLE: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'a DynamoDB table name')
      .optional(),
    DYNAMODB_ENDPOINT: endpointUrl().optional(),
    AWS_ACCESS_KEY_ID: z.string().optional(),
    SCHEMA_REGISTRY_URL: endpointUrl().optional(),
    // Confluent's client setting basic.auth.user.info: `<API key>:<API secret>`.
    SCHEMA_REGISTRY_BASIC_AUTH: z
      .string()
      .regex(/^[^:]+:.+$/, 'API key and secret as <key>:<secret>')
      .optional(),
  })
  .superRefine(refineKafkaEnv);

/** How to reach Kafka: the project's connection settings, and where they came from. */
export interface KafkaSettings extends KafkaConnection {
  /** Where the brokers came from, for messages. */
  readonly source: 'KAFKA_BROKERS' | 'local stack';
}

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
  const e = readEnv(EnvSchema, env, (message, options) => new ConfigError(message, options));
  let kafka: KafkaSettings | undefined;
  if (e.KAFKA_BROKERS !== undefined) {
    kafka = { ...toKafkaConnection(e), source: 'KAFKA_BROKERS' };
  } else if (stack !== undefined) {
    kafka = { ...plaintextConnection(stack.kafkaBrokers), source: 'local stack' };
  }

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
  const schemaRegistryUrl = e.SCHEMA_REGISTRY_URL ?? stack?.schemaRegistryUrl;
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
