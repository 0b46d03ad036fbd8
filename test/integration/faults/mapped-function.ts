import type { Kafka } from 'kafkajs';
import { type Emulator, startEmulator } from '../../../emulators/esm/emulator.ts';
import { createKafkaClient } from '../../../services/kafka/client.ts';
import { plaintextConnection } from '../../../services/kafka/connection.ts';
import { groupLag } from '../../../services/kafka/topic-reader.ts';
import { silentLogger } from '../../../tooling/logger.ts';
import { pollUntil } from '../../../tooling/poll.ts';
import { DEPLOYED_BASE, SERVICE_DIR } from '../esm/support.ts';

/** One of serverless.yml's functions, as deployed, behind an event source mapping on `topic`. */
export interface MappedFunctionOptions {
  readonly brokers: readonly string[];
  /** The function's DYNAMODB_ENDPOINT (dynalite, or a fault proxy in front of it). */
  readonly dynamodbEndpoint: string;
  readonly functionKey: string;
  /** As serverless.yml names it, e.g. `functions/aggregate-events/handler.handler`. */
  readonly handler: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly topic: string;
  readonly batchSize: number;
  readonly windowSeconds: number;
  /** The function's timeout (ms); 120 s by default. */
  readonly timeoutMs?: number;
}

export interface MappedFunction {
  readonly emulator: Emulator;
  /** Waits until the mapping has committed every record of its topic. */
  drain(timeoutMs?: number): Promise<void>;
}

/**
 * Starts the ESM emulator on one function (bundled with the deploy options, in its own
 * environments, logs silenced) and returns once its consumer group is polling.
 */
export const startMappedFunction = async (options: MappedFunctionOptions): Promise<MappedFunction> => {
  const config = {
    ...DEPLOYED_BASE,
    functions: {
      [options.functionKey]: {
        handler: options.handler,
        memorySize: 1024,
        timeout: 120,
        environment: {
          ...options.environment,
          POWERTOOLS_LOG_LEVEL: 'CRITICAL',
          POWERTOOLS_METRICS_DISABLED: 'true',
        },
        events: [
          {
            kafka: {
              bootstrapServers: [...options.brokers],
              topic: options.topic,
              startingPosition: 'TRIM_HORIZON',
              batchSize: options.batchSize,
              maximumBatchingWindow: options.windowSeconds,
            },
          },
        ],
      },
    },
  };
  const emulator = await startEmulator({
    config,
    serviceDir: SERVICE_DIR,
    brokers: options.brokers,
    bundleDir: `${SERVICE_DIR}/.cache/fault-bundles`,
    sessionTimeoutMs: 6000,
    retryDelayMs: () => 250,
    functionOutput: () => {},
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    environmentOverrides: {
      KAFKA_BROKERS: options.brokers.join(','),
      DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
  });
  const groupId = emulator.stats().mappings[0]?.consumerGroupId ?? '';
  return {
    emulator,
    drain: async (timeoutMs = 60_000) => {
      const client = createKafkaClient(plaintextConnection(options.brokers), {
        clientId: 'fault-drain',
        log: silentLogger,
      }).admin();
      await client.connect();
      try {
        await pollUntil(
          async () => {
            const lag = await groupLag(client, groupId, options.topic);
            return lag.lag === 0 && lag.records > 0 ? true : undefined;
          },
          { timeoutMs, intervalMs: 250, what: `group ${groupId} to commit every record of ${options.topic}` },
        );
      } finally {
        await client.disconnect();
      }
    },
  };
};

/** A record to produce: key and value bytes, the Kafka timestamp (epoch ms). */
export interface RecordToProduce {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly timestamp: string;
}

/** Produces records with an idempotent producer, acks=all, 500 per request. */
export const produceRecords = async (
  kafka: Kafka,
  topic: string,
  records: readonly RecordToProduce[],
): Promise<void> => {
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let from = 0; from < records.length; from += 500) {
      await producer.send({
        topic,
        acks: -1,
        messages: records.slice(from, from + 500).map((record) => ({ ...record })),
      });
    }
  } finally {
    await producer.disconnect();
  }
};
