import { z } from 'zod';
import type { StackState } from '../../../tooling/stack-state.ts';
import { WorkshopToolError } from './errors.ts';

const EnvSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, 'expected host:port[,host:port…]')
    .optional(),
  DYNAMODB_ENDPOINT: z.url({ message: 'expected a URL such as http://127.0.0.1:8000' }).optional(),
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
 * @throws {WorkshopToolError} naming the malformed variable, or saying how to get a broker.
 */
export const readPeekConfig = (env: NodeJS.ProcessEnv, stack: StackState | undefined): PeekConfig => {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WorkshopToolError(`invalid ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const kafkaBrokers = parsed.data.KAFKA_BROKERS?.split(',') ?? stack?.kafkaBrokers;
  if (kafkaBrokers === undefined) {
    throw new WorkshopToolError(
      'no Kafka to read from: start the local stack (npm run stack -- up) or set KAFKA_BROKERS',
    );
  }
  return Object.freeze({
    kafkaBrokers,
    dynamodbEndpoint: parsed.data.DYNAMODB_ENDPOINT ?? stack?.dynamodbEndpoint,
    analyticsTable: parsed.data.ANALYTICS_TABLE ?? stack?.tables.analytics,
  });
};
