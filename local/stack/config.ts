import { z } from 'zod';
import { brokerList, endpointUrl, readEnv } from '../../services/commons/env.ts';

const Env = z.object({
  KAFKA_BROKERS: brokerList().optional(),
  DYNAMODB_ENDPOINT: endpointUrl().optional(),
  SCHEMA_REGISTRY_URL: endpointUrl().optional(),
});

/** The local stack's settings, read once from the environment. */
export interface StackConfig {
  /** Use this cluster instead of launching a broker. */
  readonly kafkaBrokers: string[] | undefined;
  /** Use this DynamoDB endpoint instead of dynalite. */
  readonly dynamodbEndpoint: string | undefined;
  /** Use this schema registry instead of the in-process emulator. */
  readonly schemaRegistryUrl: string | undefined;
}

/**
 * Reads the stack's environment variables.
 *
 * @throws {ConfigError} naming every malformed variable.
 */
export const readStackConfig = (env: NodeJS.ProcessEnv = process.env): StackConfig => {
  const parsed = readEnv(Env, env);
  return Object.freeze({
    kafkaBrokers: parsed.KAFKA_BROKERS,
    dynamodbEndpoint: parsed.DYNAMODB_ENDPOINT,
    schemaRegistryUrl: parsed.SCHEMA_REGISTRY_URL,
  });
};
