import { z } from 'zod';

const Env = z.object({
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, 'expected host:port[,host:port…]')
    .optional(),
  DYNAMODB_ENDPOINT: z.url({ message: 'expected a URL such as http://127.0.0.1:8000' }).optional(),
});

/** The local stack's settings, read once from the environment. */
export interface StackConfig {
  /** Use this cluster instead of launching a broker. */
  readonly kafkaBrokers: string[] | undefined;
  /** Use this DynamoDB endpoint instead of dynalite. */
  readonly dynamodbEndpoint: string | undefined;
}

/**
 * Reads the stack's environment variables.
 *
 * @throws {Error} naming the variable when one is malformed.
 */
export const readStackConfig = (env: NodeJS.ProcessEnv = process.env): StackConfig => {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid ${String(issue?.path[0])}: ${issue?.message}`);
  }
  return Object.freeze({
    kafkaBrokers: parsed.data.KAFKA_BROKERS?.split(','),
    dynamodbEndpoint: parsed.data.DYNAMODB_ENDPOINT,
  });
};
