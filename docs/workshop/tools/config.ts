import { resolveEndpoints } from '../../../tooling/endpoints.ts';
import type { StackState } from '../../../tooling/stack-state.ts';
import { WorkshopToolError } from './errors.ts';

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
  const endpoints = resolveEndpoints(
    env,
    stack,
    (message, options) => new WorkshopToolError(message, options),
  );
  const kafkaBrokers = endpoints.kafka?.brokers;
  if (kafkaBrokers === undefined) {
    throw new WorkshopToolError(
      'no Kafka to read from: start the local stack (npm run stack -- up) or set KAFKA_BROKERS',
    );
  }
  return Object.freeze({
    kafkaBrokers,
    dynamodbEndpoint: endpoints.dynamodbEndpoint,
    analyticsTable: endpoints.tables.analytics,
  });
};
