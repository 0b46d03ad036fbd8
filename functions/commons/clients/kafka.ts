import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { mskIamSasl } from '../../../services/kafka/msk-iam.ts';
import { flag, positiveInt, readEnv, requiredString } from '../env.ts';
import { LazyKafkaProducer } from '../lazy-kafka-producer.ts';
import { logger } from '../observability.ts';

/** Settings of the Kafka client. */
export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl: boolean;
  readonly sasl: SASLOptions | undefined;
  readonly maxIdleMs: number;
}

/**
 * The environment of the Kafka client: KAFKA_BROKERS (comma-separated host:port), and for a
 * secured cluster KAFKA_SSL=true and KAFKA_SASL_MECHANISM (plain, scram-sha-256,
 * scram-sha-512) with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD, or `aws-msk-iam` for Amazon
 * MSK's IAM access control (the function's role signs the token; AWS_REGION names the region).
 */
export const KafkaEnvSchema = z
  .object({
    KAFKA_BROKERS: requiredString().transform((value) => value.split(',').map((broker) => broker.trim())),
    KAFKA_CLIENT_ID: z.string().min(1).optional(),
    AWS_LAMBDA_FUNCTION_NAME: z.string().optional(),
    KAFKA_SSL: flag(false),
    KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512', 'aws-msk-iam']).optional(),
    AWS_REGION: z.string().min(1).optional(),
    KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    KAFKA_MAX_IDLE_MS: positiveInt(300_000),
  })
  .superRefine((env, context) => {
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
          message: `is required when KAFKA_SASL_MECHANISM is set`,
        });
      }
    }
  })
  .transform(
    (env): KafkaSettings => ({
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID ?? env.AWS_LAMBDA_FUNCTION_NAME ?? 'clickstream',
      ssl: env.KAFKA_SSL,
      sasl:
        env.KAFKA_SASL_MECHANISM === undefined
          ? undefined
          : env.KAFKA_SASL_MECHANISM === 'aws-msk-iam'
            ? mskIamSasl(env.AWS_REGION ?? '')
            : {
                mechanism: env.KAFKA_SASL_MECHANISM,
                username: env.KAFKA_SASL_USERNAME ?? '',
                password: env.KAFKA_SASL_PASSWORD ?? '',
              },
      maxIdleMs: env.KAFKA_MAX_IDLE_MS,
    }),
  );

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Builds a kafkajs client whose own logs go through the structured logger. */
export const createKafka = (settings: KafkaSettings): Kafka => {
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    ssl: settings.ssl,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        // `timestamp` and `logger` are keys the structured logger reserves for itself.
        const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
        logger[LEVELS[level] ?? 'info']('kafkajs', { kafkaMessage: message, ...fields });
      },
  };
  if (settings.sasl !== undefined) config.sasl = settings.sasl;
  return new Kafka(config);
};

const settings = readEnv(KafkaEnvSchema);

/**
 * The instance's Kafka producer: built once at module load, connected on first send,
 * shared by every invocation.
 */
export const kafkaProducer = new LazyKafkaProducer(createKafka(settings), { maxIdleMs: settings.maxIdleMs });
