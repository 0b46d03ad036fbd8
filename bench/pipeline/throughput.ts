import { Logger } from '@aws-lambda-powertools/logger';
import type { OutgoingRecord } from '../../load-generator/kafka-sender.ts';
import {
  type AggregateStore,
  type AggregationDependencies,
  DynamoDbAggregateStore,
} from '../../services/aggregation/index.ts';
import type { DeadLetterPublisher } from '../../services/dead-letter/index.ts';
import {
  type BenchContext,
  type CommitTimes,
  createScenarioTable,
  createScenarioTopic,
  deleteScenarioTable,
  deleteScenarioTopic,
  documentClientFor,
  waitForCommitted,
  withProducer,
} from './bench-context.ts';
import { countedEvents } from './counted-events.ts';
import { PipelineBenchError, ScenarioError } from './errors.ts';
import type { InvocationReport } from './invocation-report.ts';
import { BenchHandler, startLambda } from './lambda-pipeline.ts';
import { NoopAggregateStore } from './noop-aggregate-store.ts';
import {
  addCounts,
  countDynamoDbRequests,
  type RequestCounter,
  type RequestCounts,
  ZERO_COUNTS,
} from './request-counter.ts';
import { ServerConsumer } from './server-consumer.ts';
import { produceBacklog } from './workload.ts';

/** Where the aggregates go: nowhere (no-op store) or a dynalite table. */
export const WriteMode = { Stubbed: 'stubbed', DynamoDb: 'dynamodb' } as const;
export type WriteMode = (typeof WriteMode)[keyof typeof WriteMode];

/** How long a backlog may take to drain before the scenario is declared stuck. */
const DRAIN_TIMEOUT_MS = 180_000;
/** The function's DYNAMODB_WRITE_CONCURRENCY and AGGREGATE_RETENTION_DAYS defaults. */
const WRITE_CONCURRENCY = 16;
const RETENTION_DAYS = 30;

/** One backlog drained by one consumer. */
export interface DrainResult {
  readonly label: string;
  readonly events: number;
  /** From the consumer's start (group joined, fetching) to the last offset committed. */
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  /** Events/s between a tenth and all of the records committed: without start-up and cold starts. */
  readonly steadyEventsPerSecond: number;
  /** CPU time of this process (all its threads: consumer, emulator, function environments) per event, µs. */
  readonly cpuMicrosPerEvent: number;
  readonly batches: number;
  readonly requests: RequestCounts;
  /** Lambda only: every invocation. */
  readonly invocations: readonly InvocationReport[];
  /** Lambda only: from the start to the first invocation's start (fetch, batching, cold start). */
  readonly firstInvocationAfterMs: number | undefined;
  /** Events the table counts afterwards (DynamoDB writes only). */
  readonly counted: number | undefined;
}

const steadyRate = (events: number, times: CommitTimes): number =>
  ((events - times.committedAtTenth) * 1000) / Math.max(1, times.doneAt - times.tenthAt);

const cpuMicrosSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return used.user + used.system;
};

const noDeadLetters: DeadLetterPublisher = {
  publish: async (letters) => {
    if (letters.length > 0) {
      throw new PipelineBenchError(
        `${letters.length} poison record(s): the benchmark workload should have none`,
      );
    }
  },
};

/**
 * Drains `backlog` with the server-based kafkajs consumer-group service running
 * `aggregateBatch` in this process, on a fresh topic (and table).
 */
export const drainWithServer = async (
  context: BenchContext,
  backlog: readonly OutgoingRecord[],
  options: { writes: WriteMode; label: string; maxBatchSize: number },
): Promise<DrainResult> => {
  const { writes, label } = options;
  const topic = await createScenarioTopic(context, label);
  const table = writes === WriteMode.DynamoDb ? await createScenarioTable(context, label) : undefined;
  const documents = documentClientFor(context);
  let store: AggregateStore;
  let counter: RequestCounter;
  if (table === undefined) {
    const noop = new NoopAggregateStore();
    store = noop;
    counter = noop;
  } else {
    counter = countDynamoDbRequests(documents);
    store = new DynamoDbAggregateStore(documents, table);
  }
  const dependencies: AggregationDependencies = {
    store,
    deadLetters: noDeadLetters,
    logger: new Logger({ serviceName: 'bench-pipeline-server', logLevel: 'WARN' }),
    metrics: { addMetric: () => undefined },
    retentionDays: RETENTION_DAYS,
    writeConcurrency: WRITE_CONCURRENCY,
  };
  try {
    await withProducer(context, (producer) => produceBacklog(producer, topic, backlog));
    const consumer = new ServerConsumer(context.kafka, {
      groupId: `bench-${context.runId}-${label}`,
      topic,
      concurrency: context.partitions,
      maxBatchSize: options.maxBatchSize,
      dependencies,
    });
    await consumer.start();
    const startedAt = performance.now();
    const cpu = process.cpuUsage();
    try {
      const times = await waitForCommitted(
        label,
        backlog.length,
        () => consumer.committedRecords,
        () => {
          if (consumer.failure !== undefined)
            throw new ScenarioError(label, 'a batch failed', { cause: consumer.failure });
        },
        DRAIN_TIMEOUT_MS,
      );
      const elapsedMs = times.doneAt - startedAt;
      return {
        label,
        events: backlog.length,
        elapsedMs,
        eventsPerSecond: (backlog.length * 1000) / elapsedMs,
        steadyEventsPerSecond: steadyRate(backlog.length, times),
        cpuMicrosPerEvent: cpuMicrosSince(cpu) / backlog.length,
        batches: consumer.batches.count,
        requests: counter.snapshot(),
        invocations: [],
        firstInvocationAfterMs: undefined,
        counted: table === undefined ? undefined : await countedEvents(documents, table),
      };
    } finally {
      await consumer.stop();
    }
  } finally {
    documents.destroy();
    await deleteScenarioTopic(context, topic);
    if (table !== undefined) await deleteScenarioTable(context, table);
  }
};

/** Waits until the reports of `scenario` cover `records` records (they travel apart from the commits). */
export const waitForReports = async (
  context: BenchContext,
  scenario: string,
  records: number,
): Promise<readonly InvocationReport[]> => {
  const deadline = performance.now() + 5000;
  for (;;) {
    const reports = context.recorder.reportsOf(scenario);
    const covered = reports.reduce(
      (sum, report) => (report.succeeded ? sum + report.recordTimestamps.length : sum),
      0,
    );
    if (covered >= records) return reports;
    if (performance.now() > deadline) {
      throw new ScenarioError(scenario, `invocation reports cover ${covered} of ${records} records`);
    }
    await new Promise((wake) => setTimeout(wake, 10));
  }
};

/** Sums the DynamoDB requests of invocations. */
export const requestsOf = (reports: readonly InvocationReport[]): RequestCounts =>
  reports.reduce((sum, report) => addCounts(sum, report.requests), ZERO_COUNTS);

/**
 * Drains `backlog` through the ESM emulator invoking a bench handler (bundled like the
 * deployed function), with the mapping's batch size and window, on a fresh topic (and table).
 */
export const drainWithLambda = async (
  context: BenchContext,
  backlog: readonly OutgoingRecord[],
  options: {
    handler: BenchHandler;
    writes: WriteMode;
    label: string;
    batchSize: number;
    windowSeconds: number | undefined;
  },
): Promise<DrainResult> => {
  const { label } = options;
  const topic = await createScenarioTopic(context, label);
  const table = options.writes === WriteMode.DynamoDb ? await createScenarioTable(context, label) : undefined;
  const scenario = `${context.runId}-${label}`;
  try {
    await withProducer(context, (producer) => produceBacklog(producer, topic, backlog));
    const lambda = await startLambda(context.lambda, {
      scenario,
      handler: options.handler,
      topic,
      // The stubbed handler never writes; its config still requires a table name.
      table: table ?? 'unused',
      batchSize: options.batchSize,
      windowSeconds: options.windowSeconds,
    });
    const cpu = process.cpuUsage();
    try {
      const times = await waitForCommitted(
        label,
        backlog.length,
        lambda.committedRecords,
        lambda.assertHealthy,
        DRAIN_TIMEOUT_MS,
      );
      const elapsedMs = times.doneAt - lambda.startedAt;
      const cpuMicros = cpuMicrosSince(cpu);
      const invocations = await waitForReports(context, scenario, backlog.length);
      let counted: number | undefined;
      // The naive handler stores raw events: there are no aggregates to count.
      if (table !== undefined && options.handler !== BenchHandler.NaivePutItem) {
        const documents = documentClientFor(context);
        counted = await countedEvents(documents, table).finally(() => documents.destroy());
      }
      return {
        label,
        events: backlog.length,
        elapsedMs,
        eventsPerSecond: (backlog.length * 1000) / elapsedMs,
        steadyEventsPerSecond: steadyRate(backlog.length, times),
        cpuMicrosPerEvent: cpuMicros / backlog.length,
        batches: invocations.length,
        requests: requestsOf(invocations),
        invocations,
        firstInvocationAfterMs:
          Math.min(...invocations.map((report) => report.startedAt)) - lambda.startedAtEpoch,
        counted,
      };
    } finally {
      await lambda.emulator.stop();
    }
  } finally {
    await deleteScenarioTopic(context, topic);
    if (table !== undefined) await deleteScenarioTable(context, table);
  }
};
