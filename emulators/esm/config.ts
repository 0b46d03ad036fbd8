import { z } from 'zod';
import { brokerList, endpointUrl, readEnv } from '../../services/commons/env.ts';

const Env = z.object({
  KAFKA_BROKERS: brokerList().optional(),
  DYNAMODB_ENDPOINT: endpointUrl().optional(),
  ESM_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).optional(),
});

/** The ESM emulator CLI's environment, read once. */
export interface EsmCliConfig {
  /** The cluster to consume from; otherwise the running local stack's. */
  readonly kafkaBrokers: readonly string[] | undefined;
  /** Passed to the functions as DYNAMODB_ENDPOINT; otherwise the running local stack's. */
  readonly dynamodbEndpoint: string | undefined;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
}

/**
 * Reads the emulator CLI's environment variables.
 *
 * @throws {ConfigError} naming every malformed variable.
 */
export const readEsmCliConfig = (env: NodeJS.ProcessEnv = process.env): EsmCliConfig => {
  const parsed = readEnv(Env, env);
  return Object.freeze({
    kafkaBrokers: parsed.KAFKA_BROKERS,
    dynamodbEndpoint: parsed.DYNAMODB_ENDPOINT,
    logLevel: parsed.ESM_LOG_LEVEL ?? 'INFO',
  });
};
