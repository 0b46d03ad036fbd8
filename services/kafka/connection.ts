import { z } from 'zod';
import { brokerList, flag } from '../commons/env.ts';

/** How a client authenticates; the project's own shape, not a Kafka client's. */
export type SaslSettings =
  | {
      readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      readonly username: string;
      readonly password: string;
    }
  | { readonly mechanism: 'aws-msk-iam'; readonly region: string };

/** Where a Kafka cluster is and how to reach it. */
export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly ssl: boolean;
  readonly sasl: SaslSettings | undefined;
}

/** The SASL mechanisms the settings accept: Confluent Cloud (plain), SCRAM, Amazon MSK IAM. */
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'aws-msk-iam'] as const;

/**
 * The one set of Kafka connection settings, shared by the functions, the load generator, the
 * emulators and the tools: KAFKA_BROKERS (host:port, comma-separated), KAFKA_SSL
 * (true/false/1/0), and for a secured cluster KAFKA_SASL_MECHANISM with KAFKA_SASL_USERNAME and
 * KAFKA_SASL_PASSWORD, or `aws-msk-iam` with AWS_REGION (the caller's AWS credentials sign).
 *
 * A reader spreads {@link kafkaEnvShape} into its own `z.object`, adds {@link refineKafkaEnv}
 * and maps with {@link toKafkaConnection}, so one parse names every bad variable, Kafka's and
 * its own. With `brokersRequired: false`, KAFKA_BROKERS may be unset (a tool then uses the
 * running local stack's broker).
 */
export const kafkaEnvShape = <Required extends boolean>(options: { brokersRequired: Required }) => ({
  KAFKA_BROKERS: (options.brokersRequired
    ? z.string({ error: 'is required but not set' }).pipe(brokerList())
    : brokerList().optional()) as Required extends true
    ? z.ZodPipe<z.ZodString, ReturnType<typeof brokerList>>
    : z.ZodOptional<ReturnType<typeof brokerList>>,
  KAFKA_SSL: flag(false),
  KAFKA_SASL_MECHANISM: z.enum(SASL_MECHANISMS).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1, 'must not be empty').optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1, 'must not be empty').optional(),
  AWS_REGION: z.string().min(1, 'must not be empty').optional(),
});

/** The parsed Kafka variables, before they become a {@link KafkaConnection}. */
export interface KafkaEnv {
  readonly KAFKA_BROKERS?: string[] | undefined;
  readonly KAFKA_SSL: boolean;
  readonly KAFKA_SASL_MECHANISM?: (typeof SASL_MECHANISMS)[number] | undefined;
  readonly KAFKA_SASL_USERNAME?: string | undefined;
  readonly KAFKA_SASL_PASSWORD?: string | undefined;
  readonly AWS_REGION?: string | undefined;
}

/** The cross-variable rules: a mechanism needs its credentials (or, for MSK IAM, a region). */
export const refineKafkaEnv = (env: KafkaEnv, context: z.RefinementCtx): void => {
  if (env.KAFKA_SASL_MECHANISM === undefined) return;
  if (env.KAFKA_SASL_MECHANISM === 'aws-msk-iam') {
    if (env.AWS_REGION === undefined) {
      context.addIssue({ code: 'custom', path: ['AWS_REGION'], message: 'is required for aws-msk-iam' });
    }
    return;
  }
  for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
    if (env[variable] === undefined) {
      context.addIssue({
        code: 'custom',
        path: [variable],
        message: 'is required when KAFKA_SASL_MECHANISM is set',
      });
    }
  }
};

/** The connection the parsed variables describe; `brokers` is empty when KAFKA_BROKERS is unset. */
export const toKafkaConnection = (env: KafkaEnv): KafkaConnection => ({
  brokers: env.KAFKA_BROKERS ?? [],
  ssl: env.KAFKA_SSL,
  sasl: saslSettings(env),
});

/**
 * The environment variables that describe `connection`, the inverse of
 * {@link toKafkaConnection}: the one shape in which a function (or a tool started as a child
 * process) is told where Kafka is.
 */
export const toKafkaEnv = (connection: KafkaConnection): Record<string, string> => {
  const env: Record<string, string> = { KAFKA_BROKERS: connection.brokers.join(',') };
  if (connection.ssl) env.KAFKA_SSL = 'true';
  if (connection.sasl?.mechanism === 'aws-msk-iam') {
    env.KAFKA_SASL_MECHANISM = connection.sasl.mechanism;
    env.AWS_REGION = connection.sasl.region;
  } else if (connection.sasl !== undefined) {
    env.KAFKA_SASL_MECHANISM = connection.sasl.mechanism;
    env.KAFKA_SASL_USERNAME = connection.sasl.username;
    env.KAFKA_SASL_PASSWORD = connection.sasl.password;
  }
  return env;
};

/** The Kafka settings alone, for a reader that needs nothing else. */
export const kafkaEnvSchema = (options: { brokersRequired: boolean }) =>
  z.object(kafkaEnvShape(options)).superRefine(refineKafkaEnv).transform(toKafkaConnection);

const saslSettings = (env: KafkaEnv): SaslSettings | undefined => {
  switch (env.KAFKA_SASL_MECHANISM) {
    case undefined:
      return undefined;
    case 'aws-msk-iam':
      return { mechanism: 'aws-msk-iam', region: env.AWS_REGION ?? '' };
    default:
      return {
        mechanism: env.KAFKA_SASL_MECHANISM,
        username: env.KAFKA_SASL_USERNAME ?? '',
        password: env.KAFKA_SASL_PASSWORD ?? '',
      };
  }
};

/** A plaintext connection to `brokers` (the laptop's broker). */
export const plaintextConnection = (brokers: readonly string[]): KafkaConnection => ({
  brokers,
  ssl: false,
  sasl: undefined,
});
