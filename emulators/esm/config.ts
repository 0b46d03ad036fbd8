import { z } from 'zod';

const Env = z.object({
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, 'expected host:port[,host:port…]')
    .optional(),
  DYNAMODB_ENDPOINT: z.url({ message: 'expected a URL such as http://127.0.0.1:8000' }).optional(),
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
 * @throws {Error} naming the variable when one is malformed.
 */
export const readEsmCliConfig = (env: NodeJS.ProcessEnv = process.env): EsmCliConfig => {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid ${String(issue?.path[0])}: ${issue?.message}`);
  }
  return Object.freeze({
    kafkaBrokers: parsed.data.KAFKA_BROKERS?.split(','),
    dynamodbEndpoint: parsed.data.DYNAMODB_ENDPOINT,
    logLevel: parsed.data.ESM_LOG_LEVEL ?? 'INFO',
  });
};
