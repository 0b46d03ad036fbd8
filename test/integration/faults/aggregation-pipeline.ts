import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { Emulator } from '../../../emulators/esm/emulator.ts';
import { RecordKind } from '../../../load-generator/bad-records.ts';
import {
  ClickstreamSimulation,
  type GeneratedRecord,
  recommendedUsers,
} from '../../../load-generator/simulation.ts';
import { createTables } from '../../../local/dynamodb/tables.ts';
import { localDynamoClient } from '../../../local/stack/stack.ts';
import type { ClickstreamEvent } from '../../../services/clickstream/index.ts';
import { DeadLetterHeader, deadLetterSourceKey } from '../../../services/dead-letter/index.ts';
import { createKafkaClient } from '../../../services/kafka/client.ts';
import { plaintextConnection } from '../../../services/kafka/connection.ts';
import { readTopic } from '../../../services/kafka/topic-reader.ts';
import { createTopics } from '../../../services/kafka/topics.ts';
import { silentLogger } from '../../../tooling/logger.ts';
import { referenceTotals } from '../../support/aggregation/reference-totals.ts';
import { scannedTotals } from '../aggregation/dynamodb-totals.ts';
import { produceRecords, startMappedFunction } from './mapped-function.ts';

/**
 * The aggregation path end to end for the fault matrix: the load generator's records on a
 * real topic, the event source mapping emulator running functions/aggregate-events as
 * deployed (bundled, in its own environments, with its own clients), DynamoDB (dynalite,
 * possibly behind a proxy that injects the fault) and the dead-letter topic. The check is
 * exact conservation: every valid record counted exactly once — the table's items equal the
 * reference totals folded from the records, page by page and minute by minute — and every
 * bad record dead-lettered with its coordinates.
 */
export interface AggregationPipeline {
  readonly topic: string;
  readonly emulator: Emulator;
  /** Produces records (acks=all, idempotent producer), their Kafka timestamps their event times. */
  produce(records: readonly GeneratedRecord[]): Promise<void>;
  /** Waits until the mapping has committed every record of the topic. */
  drain(timeoutMs?: number): Promise<void>;
  /** Number of items in the table now (partial writes show here). */
  itemCount(): Promise<number>;
  /** Asserts exact conservation of `records` (all that was produced). */
  expectConserved(records: readonly GeneratedRecord[]): Promise<void>;
  stop(): Promise<void>;
}

export interface AggregationPipelineOptions {
  readonly brokers: readonly string[];
  /** Where the tables are created and checked. */
  readonly dynamodbEndpoint: string;
  /** Where the function sends its DynamoDB requests (a fault proxy); the endpoint above by default. */
  readonly functionDynamodbEndpoint?: string;
  readonly partitions?: number;
  readonly batchSize?: number;
  readonly windowSeconds?: number;
  /** The function's timeout (ms); serverless.yml's 120 s by default. */
  readonly timeoutMs?: number;
}

/** `count` load-generator records of the last minutes, `badRate` of them bad. */
export const clickstreamRecords = (count: number, badRate: number, seed = 7): GeneratedRecord[] =>
  new ClickstreamSimulation({
    seed,
    startTime: Date.now() - 5 * 60_000,
    rate: 200,
    users: recommendedUsers(200, 0.05, 30_000),
    botShare: 0.05,
    badRate,
    sessionGapMs: 30_000,
  }).take(count);

export const startAggregationPipeline = async (
  options: AggregationPipelineOptions,
): Promise<AggregationPipeline> => {
  const id = randomUUID().slice(0, 8);
  const topic = `faults-${id}`;
  const deadLetterTopic = `faults-${id}-dlq`;
  const table = `faults-${id}-analytics`;
  const kafka = createKafkaClient(plaintextConnection(options.brokers), {
    clientId: 'fault-matrix',
    log: silentLogger,
  });
  await createTopics(kafka, [
    { topic, partitions: options.partitions ?? 3 },
    { topic: deadLetterTopic, partitions: 1 },
  ]);
  const dynamo = localDynamoClient(options.dynamodbEndpoint);
  const documents = DynamoDBDocumentClient.from(dynamo);
  await createTables(dynamo, { analytics: table, userProfiles: `faults-${id}-profiles` });

  const mapped = await startMappedFunction({
    brokers: options.brokers,
    dynamodbEndpoint: options.functionDynamodbEndpoint ?? options.dynamodbEndpoint,
    functionKey: 'aggregate-events',
    handler: 'functions/aggregate-events/handler.handler',
    environment: { ANALYTICS_TABLE: table, DLQ_TOPIC: deadLetterTopic },
    topic,
    batchSize: options.batchSize ?? 500,
    windowSeconds: options.windowSeconds ?? 1,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const { emulator } = mapped;

  return {
    topic,
    emulator,
    produce: (records) =>
      produceRecords(
        kafka,
        topic,
        records.map((record) => ({
          key: record.key,
          value: record.value,
          timestamp: String(record.timestamp),
        })),
      ),
    drain: (timeoutMs) => mapped.drain(timeoutMs),
    itemCount: async () =>
      (await documents.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count ?? 0,
    expectConserved: async (records) => {
      const valid = records.filter((record) => record.kind === RecordKind.Valid);
      const bad = records.length - valid.length;
      const events = valid.map((record) => JSON.parse(record.value.toString('utf8')) as ClickstreamEvent);
      expect(await scannedTotals(documents, table)).toEqual(referenceTotals(events));
      const deadLetters = await readTopic(kafka, deadLetterTopic);
      const coordinates = new Set(deadLetters.map((r) => deadLetterSourceKey(r.headers)));
      expect(deadLetters.every((r) => r.headers[DeadLetterHeader.SourceTopic] === topic)).toBe(true);
      expect(coordinates.size, 'bad records dead-lettered, each with its coordinates').toBe(bad);
    },
    stop: async () => {
      await emulator.stop();
      dynamo.destroy();
    },
  };
};
