import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { positiveInt, readEnv } from '../../../services/commons/env.ts';
import { createKafkaClient } from '../../../services/kafka/client.ts';
import {
  type KafkaConnection,
  type KafkaEnv,
  kafkaEnvShape,
  refineKafkaEnv,
  toKafkaConnection,
} from '../../../services/kafka/connection.ts';
import { LazyKafkaProducer } from '../lazy-kafka-producer.ts';
import { logger } from '../observability.ts';
import {
  fetchFromSecretsManager,
  type KafkaSecretReference,
  readKafkaSecret,
  type SecretFetcher,
} from './kafka-secret.ts';

/** Settings of the functions' Kafka client. */
export interface KafkaSettings {
  readonly connection: KafkaConnection;
  readonly clientId: string;
  readonly maxIdleMs: number;
}

/**
 * The settings the environment gives: with KAFKA_SASL_SECRET_ARN, the credentials are still
 * in Secrets Manager (`saslSecret`) and `connection.sasl` is unset until
 * {@link resolveKafkaSettings} has read them.
 */
export interface KafkaEnvSettings extends KafkaSettings {
  readonly saslSecret: KafkaSecretReference | undefined;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

/** The rules of KAFKA_SASL_SECRET_ARN: it replaces the username and password, and needs a mechanism that uses them. */
const refineSecretEnv = (
  env: KafkaEnv & { readonly KAFKA_SASL_SECRET_ARN?: string | undefined },
  context: z.RefinementCtx,
): void => {
  if (env.KAFKA_SASL_SECRET_ARN === undefined) {
    refineKafkaEnv(env, context);
    return;
  }
  if (env.KAFKA_SASL_MECHANISM === undefined || env.KAFKA_SASL_MECHANISM === 'aws-msk-iam') {
    context.addIssue({
      code: 'custom',
      path: ['KAFKA_SASL_MECHANISM'],
      message: 'must be plain, scram-sha-256 or scram-sha-512 when KAFKA_SASL_SECRET_ARN is set',
    });
  }
  for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
    if (env[variable] !== undefined) {
      context.addIssue({
        code: 'custom',
        path: [variable],
        message: 'must not be set with KAFKA_SASL_SECRET_ARN (the secret holds the credentials)',
      });
    }
  }
};

/**
 * The environment of the functions' Kafka client: the project's one set of connection
 * settings (services/kafka/connection.ts), or instead of KAFKA_SASL_USERNAME/PASSWORD the ARN
 * of the Secrets Manager secret holding them (KAFKA_SASL_SECRET_ARN, deployed stages), plus
 * the client id (the function's name by default) and how long the producer may stay idle
 * before it reconnects.
 */
export const KafkaEnvSchema = z
  .object({
    ...kafkaEnvShape({ brokersRequired: true }),
    KAFKA_SASL_SECRET_ARN: z
      .string()
      .regex(
        SECRET_ARN,
        'must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
      )
      .optional(),
    KAFKA_CLIENT_ID: z.string().min(1).optional(),
    AWS_LAMBDA_FUNCTION_NAME: z.string().optional(),
    KAFKA_MAX_IDLE_MS: positiveInt(300_000),
  })
  .superRefine(refineSecretEnv)
  .transform((env): KafkaEnvSettings => {
    const secretMechanism = env.KAFKA_SASL_MECHANISM;
    const saslSecret =
      env.KAFKA_SASL_SECRET_ARN === undefined ||
      secretMechanism === undefined ||
      secretMechanism === 'aws-msk-iam'
        ? undefined
        : { arn: env.KAFKA_SASL_SECRET_ARN, mechanism: secretMechanism };
    return {
      connection:
        saslSecret === undefined
          ? toKafkaConnection(env)
          : { ...toKafkaConnection({ ...env, KAFKA_SASL_MECHANISM: undefined }), sasl: undefined },
      saslSecret,
      clientId: env.KAFKA_CLIENT_ID ?? env.AWS_LAMBDA_FUNCTION_NAME ?? 'clickstream',
      maxIdleMs: env.KAFKA_MAX_IDLE_MS,
    };
  });

/**
 * The client's settings with their credentials: read from the secret when the environment
 * names one (once, at init), else as the environment gave them.
 */
export const resolveKafkaSettings = async (
  settings: KafkaEnvSettings,
  fetchSecret: SecretFetcher,
): Promise<KafkaSettings> => {
  const { saslSecret, ...rest } = settings;
  if (saslSecret === undefined) return rest;
  return {
    ...rest,
    connection: { ...rest.connection, sasl: await readKafkaSecret(saslSecret, fetchSecret) },
  };
};

/** Builds the functions' kafkajs client; its own logs go through the structured logger. */
export const createKafka = (settings: KafkaSettings): Kafka =>
  createKafkaClient(settings.connection, { clientId: settings.clientId, log: logger });

const envSettings = readEnv(KafkaEnvSchema);

// At init, before the first invocation (an ES module's top-level await): a secret that cannot
// be read fails the instance's start with a message naming it, not a batch later on.
const settings = await resolveKafkaSettings(envSettings, fetchFromSecretsManager);

/** The instance's Kafka client: its admin checks the dead-letter topic at init. */
export const kafka: Kafka = createKafka(settings);

/**
 * The instance's Kafka producer: built once at module load, connected on first send,
 * shared by every invocation.
 */
export const kafkaProducer = new LazyKafkaProducer(kafka, { maxIdleMs: settings.maxIdleMs });
