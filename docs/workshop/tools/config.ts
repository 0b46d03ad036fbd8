import { z } from 'zod';
import { brokerList, endpointUrl, readEnv } from '../../../services/commons/env.ts';
import type { StackState } from '../../../tooling/stack-state.ts';
import { WorkshopToolError } from './errors.ts';

const EnvSchema = z.object({
  KAFKA_BROKERS: brokerList().optional(),
  DYNAMODB_ENDPOINT: endpointUrl().optional(),
  ANALYTICS_TABLE: z.string().min(1, 'must not be empty').optional(),
});

/** Where the workshop tool reads from. */
export interface PeekConfig {
  readonly kafkaBrokers: readonly string[];
  /** Undefined when neither DYNAMODB_ENDPOINT nor a local stack is there: DynamoDB is not read. */
  readonly dynamodbEndpoint: string | undefined;
  readonly analyticsTable: string | undefined;
}

/**
 * Reads the tool's settings once: KAFKA_BROKERS, DYNAMODB_ENDPOINT and ANALYTICS_TABLE when
 * set, else the running local stack's endpoints (`npm run stack -- up`).
 *
 * @throws {WorkshopToolError} naming every malformed variable, or saying how to get a broker.
 */
export const readPeekConfig = (env: NodeJS.ProcessEnv, stack: StackState | undefined): PeekConfig => {
  const vars = readEnv(EnvSchema, env, (message, options) => new WorkshopToolError(message, options));
  const kafkaBrokers = vars.KAFKA_BROKERS ?? stack?.kafkaBrokers;
  if (kafkaBrokers === undefined) {
    throw new WorkshopToolError(
      'no Kafka to read from: start the local stack (npm run stack -- up) or set KAFKA_BROKERS',
    );
  }
  return Object.freeze({
    kafkaBrokers,
    dynamodbEndpoint: vars.DYNAMODB_ENDPOINT ?? stack?.dynamodbEndpoint,
    analyticsTable: vars.ANALYTICS_TABLE ?? stack?.tables.analytics,
  });
};
