import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { positiveInt, readEnv } from '../../../services/commons/env.ts';
import { createKafkaClient } from '../../../services/kafka/client.ts';
import {
  type KafkaConnection,
  kafkaEnvShape,
  refineKafkaEnv,
  toKafkaConnection,
} from '../../../services/kafka/connection.ts';
import { LazyKafkaProducer } from '../lazy-kafka-producer.ts';
import { logger } from '../observability.ts';

/** Settings of the functions' Kafka client. */
export interface KafkaSettings {
  readonly connection: KafkaConnection;
  readonly clientId: string;
  readonly maxIdleMs: number;
}

/**
 * The environment of the functions' Kafka client: the project's one set of connection
 * settings (services/kafka/connection.ts) plus the client id (the function's name by default)
 * and how long the producer may stay idle before it reconnects.
 */
export const KafkaEnvSchema = z
  .object({
    ...kafkaEnvShape({ brokersRequired: true }),
    KAFKA_CLIENT_ID: z.string().min(1).optional(),
    AWS_LAMBDA_FUNCTION_NAME: z.string().optional(),
    KAFKA_MAX_IDLE_MS: positiveInt(300_000),
  })
  .superRefine(refineKafkaEnv)
  .transform(
    (env): KafkaSettings => ({
      connection: toKafkaConnection(env),
      clientId: env.KAFKA_CLIENT_ID ?? env.AWS_LAMBDA_FUNCTION_NAME ?? 'clickstream',
      maxIdleMs: env.KAFKA_MAX_IDLE_MS,
    }),
  );

/** Builds the functions' kafkajs client; its own logs go through the structured logger. */
export const createKafka = (settings: KafkaSettings): Kafka =>
  createKafkaClient(settings.connection, { clientId: settings.clientId, log: logger });

const settings = readEnv(KafkaEnvSchema);

/**
 * The instance's Kafka producer: built once at module load, connected on first send,
 * shared by every invocation.
 */
export const kafkaProducer = new LazyKafkaProducer(createKafka(settings), { maxIdleMs: settings.maxIdleMs });
