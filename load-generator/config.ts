import { z } from 'zod';
import { readStackState, type StackState } from '../tooling/stack-state.ts';
import { ConfigError } from './errors.ts';

const list = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  )
  .pipe(
    z.array(z.string().regex(/^[^\s:]+:\d+$/, 'each broker must be host:port')).min(1, 'at least one broker'),
  );

const EnvSchema = z
  .object({
    KAFKA_BROKERS: list.optional(),
    KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512', 'aws-msk-iam']).optional(),
    KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    KAFKA_SSL: z.enum(['true', 'false']).optional(),
    USER_PROFILES_TABLE: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'a DynamoDB table name')
      .optional(),
    DYNAMODB_ENDPOINT: z.url().optional(),
    AWS_REGION: z.string().min(1).optional(),
    AWS_ACCESS_KEY_ID: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.KAFKA_SASL_MECHANISM === undefined) return;
    if (env.KAFKA_SASL_MECHANISM === 'aws-msk-iam') {
      if (env.AWS_REGION === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['AWS_REGION'],
          message: 'required when KAFKA_SASL_MECHANISM is aws-msk-iam',
        });
      }
      return;
    }
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (env[name] === undefined) {
        ctx.addIssue({ code: 'custom', path: [name], message: `required when KAFKA_SASL_MECHANISM is set` });
      }
    }
  });

/** How to reach Kafka. */
export interface KafkaSettings {
  brokers: readonly string[];
  /** Where the brokers came from, for messages. */
  source: 'KAFKA_BROKERS' | 'local stack';
  ssl: boolean;
  sasl?:
    | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
    | { mechanism: 'aws-msk-iam'; region: string };
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
}

/**
 * Resolves the configuration. Environment variables win; otherwise the local stack's
 * endpoints file (`npm run stack -- up`) is used.
 *
 * @throws {ConfigError} naming the variable that is invalid.
 */
export const resolveConfig = (
  env: Readonly<Record<string, string | undefined>>,
  stack: StackState | undefined,
): LoadGeneratorConfig => {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `invalid environment: ${String(issue?.path[0] ?? '')} ${issue?.message ?? ''}`.trim(),
      { cause: parsed.error },
    );
  }
  const e = parsed.data;
  let kafka: KafkaSettings | undefined;
  if (e.KAFKA_BROKERS !== undefined) {
    kafka = {
      brokers: e.KAFKA_BROKERS,
      source: 'KAFKA_BROKERS',
      ssl: e.KAFKA_SSL === 'true',
      ...(e.KAFKA_SASL_MECHANISM === 'aws-msk-iam' && e.AWS_REGION !== undefined
        ? { sasl: { mechanism: 'aws-msk-iam' as const, region: e.AWS_REGION } }
        : e.KAFKA_SASL_MECHANISM !== undefined &&
            e.KAFKA_SASL_MECHANISM !== 'aws-msk-iam' &&
            e.KAFKA_SASL_USERNAME !== undefined &&
            e.KAFKA_SASL_PASSWORD !== undefined
          ? {
              sasl: {
                mechanism: e.KAFKA_SASL_MECHANISM,
                username: e.KAFKA_SASL_USERNAME,
                password: e.KAFKA_SASL_PASSWORD,
              },
            }
          : {}),
    };
  } else if (stack !== undefined) {
    kafka = { brokers: stack.kafkaBrokers, source: 'local stack', ssl: false };
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
  return Object.freeze({ kafka, profiles });
};

/** {@link resolveConfig} over `process.env` and the running stack, read once at start-up. */
export const loadConfig = (): LoadGeneratorConfig => resolveConfig(process.env, readStackState());

/** The message for "nowhere to send to". */
export const NO_KAFKA_MESSAGE =
  'no Kafka to connect to: start the local stack with `npm run stack -- up`, or set KAFKA_BROKERS (host:port,…)';
