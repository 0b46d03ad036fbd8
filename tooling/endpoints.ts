import { z } from 'zod';
import { endpointUrl, readEnv } from '../services/commons/env.ts';
import { EnvName } from '../services/commons/env-names.ts';
import {
  type KafkaConnection,
  kafkaEnvShape,
  plaintextConnection,
  refineKafkaEnv,
  toKafkaConnection,
} from '../services/kafka/connection.ts';
import type { StackState } from './stack-state.ts';

const tableName = () => z.string().min(1, 'must not be empty');

const EndpointsEnv = z
  .object({
    ...kafkaEnvShape({ brokersRequired: false }),
    [EnvName.DYNAMODB_ENDPOINT]: endpointUrl().optional(),
    [EnvName.SCHEMA_REGISTRY_URL]: endpointUrl().optional(),
    [EnvName.ANALYTICS_TABLE]: tableName().optional(),
    [EnvName.USER_PROFILES_TABLE]: tableName().optional(),
  })
  .superRefine(refineKafkaEnv);

/** A Kafka connection and where it came from (for messages). */
export interface KafkaEndpoint extends KafkaConnection {
  readonly source: 'KAFKA_BROKERS' | 'local stack';
}

/**
 * Where the pipeline's parts answer, as a tool sees them: each from its environment variable
 * when set, else from the running local stack's endpoints file (`npm run stack -- up`), else
 * undefined. A tool that may start its own broker hands `kafka` to local/kafka's
 * `useOrLaunchKafka`.
 */
export interface Endpoints {
  /** KAFKA_BROKERS (with KAFKA_SSL, KAFKA_SASL_*), else the stack's broker. */
  readonly kafka: KafkaEndpoint | undefined;
  /** DYNAMODB_ENDPOINT, else the stack's dynalite. */
  readonly dynamodbEndpoint: string | undefined;
  /** SCHEMA_REGISTRY_URL, else the stack's registry. */
  readonly schemaRegistryUrl: string | undefined;
  /** ANALYTICS_TABLE / USER_PROFILES_TABLE, else the stack's tables. */
  readonly tables: { readonly analytics: string | undefined; readonly userProfiles: string | undefined };
  /** Which of the endpoints above the environment set (the rest came from the stack, or nowhere). */
  readonly fromEnvironment: {
    readonly kafka: boolean;
    readonly dynamodbEndpoint: boolean;
    readonly schemaRegistryUrl: boolean;
  };
}

/**
 * The one resolver of endpoints for the CLIs, benches and workshop tools: environment first,
 * then the running stack's endpoints file. Pass `stack: undefined` for a tool that must not
 * use a running stack (a bench that measures on a broker of its own).
 *
 * @param makeError builds the error for bad variables (a tool passes its own subclass).
 * @throws {ConfigError} (or `makeError`'s) naming every malformed variable.
 */
export const resolveEndpoints = (
  env: Readonly<Record<string, string | undefined>>,
  stack: StackState | undefined,
  makeError?: (message: string, options: ErrorOptions) => Error,
): Endpoints => {
  const vars = readEnv(EndpointsEnv, env, makeError);
  const kafka: KafkaEndpoint | undefined =
    vars.KAFKA_BROKERS !== undefined
      ? { ...toKafkaConnection(vars), source: 'KAFKA_BROKERS' }
      : stack === undefined
        ? undefined
        : { ...plaintextConnection(stack.kafkaBrokers), source: 'local stack' };
  return Object.freeze({
    kafka,
    dynamodbEndpoint: vars.DYNAMODB_ENDPOINT ?? stack?.dynamodbEndpoint,
    schemaRegistryUrl: vars.SCHEMA_REGISTRY_URL ?? stack?.schemaRegistryUrl,
    tables: {
      analytics: vars.ANALYTICS_TABLE ?? stack?.tables.analytics,
      userProfiles: vars.USER_PROFILES_TABLE ?? stack?.tables.userProfiles,
    },
    fromEnvironment: {
      kafka: vars.KAFKA_BROKERS !== undefined,
      dynamodbEndpoint: vars.DYNAMODB_ENDPOINT !== undefined,
      schemaRegistryUrl: vars.SCHEMA_REGISTRY_URL !== undefined,
    },
  });
};
