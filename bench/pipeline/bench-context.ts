import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Kafka, Producer } from 'kafkajs';
import { connectProducer } from '../../load-generator/kafka-client.ts';
import { createTables } from '../../local/dynamodb/tables.ts';
import { localDynamoClient } from '../../local/stack/stack.ts';
import { createTopics } from '../../services/kafka/topics.ts';
import { pollUntil } from '../../tooling/poll.ts';
import { ScenarioError } from './errors.ts';
import type { InvocationRecorder } from './invocation-recorder.ts';
import type { LambdaRuntime } from './lambda-pipeline.ts';

/** What every scenario of a run uses. */
export interface BenchContext {
  /** Short unique id of the run: prefixes every topic, table and consumer group. */
  readonly runId: string;
  readonly brokers: readonly string[];
  /** The benchmark's own kafkajs client (admin, producer, the server-based consumer). */
  readonly kafka: Kafka;
  readonly dynamo: DynamoDBClient;
  readonly lambda: LambdaRuntime;
  readonly recorder: InvocationRecorder;
  readonly partitions: number;
  /** Progress lines (stderr). */
  readonly progress: (line: string) => void;
}

/**
 * A fresh topic (the run's partition count unless given), every partition led. A KRaft broker under
 * load briefly answers "does not host this topic-partition" after a create, which kafkajs'
 * waitForLeaders does not retry, so creation is retried under the same name.
 */
export const createScenarioTopic = async (
  context: BenchContext,
  label: string,
  partitions: number = context.partitions,
): Promise<string> => {
  const topic = `bench-pipeline-${context.runId}-${label}`;
  await pollUntil(
    async () => {
      await createTopics(context.kafka, [{ topic, partitions }]);
      const admin = context.kafka.admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const led = topics[0]?.partitions.filter((p) => p.leader >= 0 && p.partitionErrorCode === 0) ?? [];
        return led.length === partitions ? true : undefined;
      } finally {
        await admin.disconnect();
      }
    },
    { timeoutMs: 60_000, intervalMs: 250, what: `topic ${topic} to be created` },
  );
  return topic;
};

export const deleteScenarioTopic = async (context: BenchContext, topic: string): Promise<void> => {
  const admin = context.kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  } finally {
    await admin.disconnect();
  }
};

/** A fresh analytics table (resources/dynamodb-tables.yml); returns its name. */
export const createScenarioTable = async (context: BenchContext, label: string): Promise<string> => {
  const analytics = `bench-${context.runId}-${label}-${randomUUID().slice(0, 4)}`;
  await createTables(context.dynamo, { analytics, userProfiles: `${analytics}-profiles` });
  return analytics;
};

export const deleteScenarioTable = async (context: BenchContext, table: string): Promise<void> => {
  for (const name of [table, `${table}-profiles`]) {
    await context.dynamo.send(new DeleteTableCommand({ TableName: name })).catch(() => {});
  }
};

/**
 * Runs `send` with a producer of its own, configured as the load generator's (idempotent,
 * acks=all, murmur2), disconnected afterwards. One producer per scenario: a kafkajs
 * client keeps refreshing metadata for every topic it ever sent to, and fails once one of
 * them has been deleted.
 */
export const withProducer = async <T>(
  context: BenchContext,
  send: (producer: Producer) => Promise<T>,
): Promise<T> => {
  const producer = await connectProducer(context.kafka, context.brokers);
  try {
    return await send(producer);
  } finally {
    await producer.disconnect();
  }
};

/** A document client of its own (so its requests can be counted apart from any other). */
export const documentClientFor = (context: BenchContext): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(localDynamoClient(context.lambda.dynamodbEndpoint));

/** When a drain reached its marks. */
export interface CommitTimes {
  /** performance.now() when every record was committed. */
  readonly doneAt: number;
  /** performance.now() when a tenth of the records were committed: the steady state starts there. */
  readonly tenthAt: number;
  /** Records committed at `tenthAt` (batches commit many at once, so a little over a tenth). */
  readonly committedAtTenth: number;
}

/**
 * Polls `committed` every few milliseconds (an in-memory read) until it reaches `expected`.
 *
 * @throws {ScenarioError} when `healthy` throws, or after `timeoutMs`.
 */
export const waitForCommitted = async (
  scenario: string,
  expected: number,
  committed: () => number,
  healthy: () => void,
  timeoutMs: number,
): Promise<CommitTimes> => {
  const deadline = performance.now() + timeoutMs;
  let tenth: { at: number; committed: number } | undefined;
  for (;;) {
    const now = performance.now();
    const count = committed();
    if (tenth === undefined && count >= expected / 10) tenth = { at: now, committed: count };
    if (count >= expected) {
      return { doneAt: now, tenthAt: tenth?.at ?? now, committedAtTenth: tenth?.committed ?? count };
    }
    healthy();
    if (now > deadline) {
      throw new ScenarioError(scenario, `${count} of ${expected} records committed after ${timeoutMs} ms`);
    }
    await new Promise((wake) => setTimeout(wake, 5));
  }
};
