import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Admin, Kafka } from 'kafkajs';
import { z } from 'zod';
import { esmPipelineStats } from '../../dashboard/esm-pipeline-stats.ts';
import { startDashboard } from '../../dashboard/server.ts';
import { type Emulator, startEmulator } from '../../emulators/esm/emulator.ts';
import { isSchemaValidationCondition } from '../../emulators/esm/on-failure-destination.ts';
import { DEFAULT_VARIABLES } from '../../ksql/migrate/migrations.ts';
import { loadServerlessConfig } from '../../serverless/print.ts';
import {
  AnalyticsReader,
  decimalOfCents,
  type Funnel,
  minuteOf,
  type PageStats,
} from '../../services/aggregation/index.ts';
import { DeadLetterHeader, deadLetterSourceKey } from '../../services/dead-letter/index.ts';
import { createKafkaClient } from '../../services/kafka/client.ts';
import { plaintextConnection } from '../../services/kafka/connection.ts';
import { countRecords, readTopic } from '../../services/kafka/topic-reader.ts';
import { costOf, gbSecondsOf } from '../../tooling/aws-prices.ts';
import { resolveEndpoints } from '../../tooling/endpoints.ts';
import { createToolLogger, silentLogger } from '../../tooling/logger.ts';
import { type Bill, cheapest, nameOf, workloadOfRun } from '../../tooling/monthly-bill.ts';
import { REPO_ROOT } from '../../tooling/paths.ts';
import { pollUntil } from '../../tooling/poll.ts';
import { localDynamoClient, type RunningStack, startStack } from '../stack/stack.ts';
import { startStateEngine } from '../stack/state-engine.ts';
import { type DemoOptions, demoRateProfile } from './args.ts';

/** Where the functions' log lines go during a demo. */
export const FUNCTION_LOG = join(REPO_ROOT, '.cache', 'demo', 'functions.log');

const TOPICS = {
  events: 'clickstream-events',
  deadLetters: 'clickstream-dlq',
  esmFailures: 'clickstream-esm-failures',
  sessions: 'clickstream-user-sessions',
  sessionsEnriched: 'clickstream-sessions-enriched',
  cartAbandoned: 'clickstream-cart-abandoned',
} as const;

const KSQL_OUTPUT_TOPICS = [
  DEFAULT_VARIABLES.PAGEVIEWS_TOPIC,
  DEFAULT_VARIABLES.SESSIONS_TOPIC,
  DEFAULT_VARIABLES.TRENDING_TOPIC,
  DEFAULT_VARIABLES.BOT_SUSPECTS_TOPIC,
].filter((topic): topic is string => topic !== undefined);

const PageviewsRowSchema = z.looseObject({
  VIEWS: z.number(),
  UNIQUE_USERS: z.number(),
  WINDOW_START: z.number(),
});

/**
 * Rows on the ksql output topics, and the newest pageviews-per-minute window at the latest
 * version of each page (a table's updates for one key stay in order on its partition).
 */
const ksqlOutputsOf = async (kafka: Kafka, admin: Admin): Promise<DemoSummary['ksql']> => {
  const topics = await Promise.all(
    KSQL_OUTPUT_TOPICS.map(async (topic) => ({ topic, rows: await countRecords(admin, topic) })),
  );
  const latest = new Map<string, z.infer<typeof PageviewsRowSchema> & { path: string }>();
  for (const record of await readTopic(kafka, DEFAULT_VARIABLES.PAGEVIEWS_TOPIC ?? '')) {
    const row = PageviewsRowSchema.safeParse(record.value === null ? null : JSON.parse(String(record.value)));
    // The GROUP BY column is the key: KAFKA format, then ksqlDB's 8-byte window start.
    if (!row.success || record.key === null || record.key.length < 8) continue;
    const path = record.key.subarray(0, record.key.length - 8).toString('utf8');
    latest.set(`${row.data.WINDOW_START} ${path}`, { ...row.data, path });
  }
  let newest = Number.NEGATIVE_INFINITY;
  for (const row of latest.values()) newest = Math.max(newest, row.WINDOW_START);
  const latestPageviews = [...latest.values()]
    .filter((row) => row.WINDOW_START === newest)
    .sort((a, b) => b.VIEWS - a.VIEWS)
    .slice(0, 5)
    .map((row) => ({
      windowStart: new Date(row.WINDOW_START).toISOString().slice(11, 16),
      path: row.path,
      views: row.VIEWS,
      uniqueUsers: row.UNIQUE_USERS,
    }));
  return { topics, latestPageviews };
};

/**
 * `--format avro`: the aggregation mapping as a provisioned stage with a schema registry has
 * it (services-consume-kafka-events.html: provisioned mode only): Avro values validated with
 * their writer schema, delivered as JSON, failures to the ESM's on-failure topic.
 */
const withSchemaRegistry = (config: unknown, registryUrl: string): unknown => {
  const root = z
    .looseObject({ custom: z.looseObject({ esm: z.record(z.string(), z.unknown()) }) })
    .parse(config);
  const current = z.record(z.string(), z.unknown()).parse(root.custom.esm['aggregate-events'] ?? {});
  // On-demand mode's infinite retries: with a destination Lambda applies at most 10.
  const { maximumRetryAttempts: _onDemandRetries, ...rest } = current;
  return {
    ...root,
    custom: {
      ...root.custom,
      esm: {
        ...root.custom.esm,
        'aggregate-events': {
          ...rest,
          provisionedPollerConfig: { minimumPollers: 1, maximumPollers: 6 },
          onFailureDestination: `kafka://${TOPICS.esmFailures}`,
          schemaRegistryConfig: {
            schemaRegistryURI: registryUrl,
            eventRecordFormat: 'JSON',
            schemaValidationConfigs: [{ attribute: 'VALUE' }],
          },
        },
      },
    },
  };
};

const FailureRecordSchema = z.looseObject({
  requestContext: z.looseObject({ condition: z.string() }),
  payload: z.looseObject({ records: z.record(z.string(), z.array(z.looseObject({ offset: z.number() }))) }),
});

/** Distinct records of `topic` that the ESM wrote to its on-failure topic for failing schema validation. */
const validationFailuresOf = async (kafka: Kafka, topic: string): Promise<number> => {
  const failed = new Set<string>();
  for (const record of await readTopic(kafka, TOPICS.esmFailures)) {
    const failure = FailureRecordSchema.safeParse(
      record.value === null ? null : JSON.parse(String(record.value)),
    );
    if (!failure.success || !isSchemaValidationCondition(failure.data.requestContext.condition)) continue;
    for (const [key, records] of Object.entries(failure.data.payload.records)) {
      if (!key.startsWith(`${topic}-`)) continue;
      for (const r of records) failed.add(`${key}@${r.offset}`);
    }
  }
  return failed.size;
};

/** The load generator's `--json` summary: the fields the demo relies on. */
const LoadSummarySchema = z.looseObject({
  sent: z.number(),
  acked: z.number(),
  valid: z.number(),
  bad: z.object({ malformedJson: z.number(), schemaInvalid: z.number(), oversized: z.number() }),
  errors: z.number(),
  durationMs: z.number(),
});
type LoadSummary = z.infer<typeof LoadSummarySchema>;

/** What the demo prints at the end; `--json` prints it on one line. */
export interface DemoSummary {
  /** Valid events the load generator had acknowledged by Kafka. */
  produced: number;
  /** Bad records it produced on purpose. */
  bad: number;
  /** Events counted in DynamoDB (Σ of the per-minute funnel `events`). */
  counted: number;
  /** Records on the dead-letter topic. */
  dlq: number;
  /** produced = counted and bad = dlq. */
  conserved: boolean;
  /** DynamoDB write requests the aggregation function reported (its EMF metric). */
  writes: number;
  /** DynamoDB write request units it reported (ConsumedCapacity, what the table bills). */
  writeUnits: number;
  /** DynamoDB read request units it reported (the conditional retries' and merges' reads). */
  readUnits: number;
  /**
   * What the aggregation of a million events costs on AWS at list prices (tooling/aws-prices.ts):
   * its Lambda GB-s and requests (as the emulator timed them) plus its DynamoDB units.
   */
  costPer1M: { lambda: number; dynamoDb: number; total: number };
  /**
   * The whole monthly bill at the demo's steady rate (tooling/monthly-bill.ts): Lambda and
   * DynamoDB as this run billed them per event, plus event pollers, the Kafka cluster and the
   * stream processor at list prices; the cheapest production configuration, and the cheapest
   * in provisioned mode.
   */
  monthlyBill: {
    eventsPerSecond: number;
    kafkaBytesPerEvent: number;
    cheapest: BillSummary | undefined;
    provisioned: BillSummary | undefined;
  };
  sessions: {
    closed: number;
    enriched: number;
    duplicates: number;
    cartAbandoned: number;
    conserved: boolean;
  };
  topPages: Array<{ minute: string; path: string; views: number }>;
  /** What the ksql windows wrote to their output topics (rows = record versions, EMIT CHANGES). */
  ksql: {
    topics: Array<{ topic: string; rows: number }>;
    /** The busiest pages of the newest pageviews-per-minute window, at their latest version. */
    latestPageviews: Array<{ windowStart: string; path: string; views: number; uniqueUsers: number }>;
  };
  /** Revenue as exact decimal text (services/aggregation/money.ts). */
  funnel: Omit<Funnel, 'minute' | 'uniqueSessions' | 'revenueCents'> & { revenue: string };
  /**
   * The aggregation mapping's event pollers over the run (emulators/esm/scaler.ts): the
   * count at the first sample, then each change, at seconds since the emulator started.
   */
  pollers: {
    mode: string;
    max: number;
    timeline: Array<{ atSeconds: number; pollers: number; lag: number }>;
  };
  dashboardUrl: string | undefined;
  durationMs: number;
}

/** One configuration's monthly bill, in dollars, by component. */
export interface BillSummary {
  configuration: string;
  monthlyUsd: number;
  usdPerMillionEvents: number;
  lines: Record<keyof Bill['lines'], number>;
}

const billSummaryOf = (bill: Bill | undefined): BillSummary | undefined =>
  bill === undefined
    ? undefined
    : {
        configuration: nameOf(bill),
        monthlyUsd: Math.round(bill.monthlyUsd * 100) / 100,
        usdPerMillionEvents: Math.round(bill.usdPerMillionEvents * 1000) / 1000,
        lines: {
          pollers: Math.round(bill.lines.pollers.monthlyUsd * 100) / 100,
          kafka: Math.round(bill.lines.kafka.monthlyUsd * 100) / 100,
          processor: Math.round(bill.lines.processor.monthlyUsd * 100) / 100,
          lambda: Math.round(bill.lines.lambda.monthlyUsd * 100) / 100,
          dynamoDb: Math.round(bill.lines.dynamoDb.monthlyUsd * 100) / 100,
        },
      };

/**
 * The month at the demo's steady rate: the events' bytes in Kafka as produced (key, value and
 * ~70 B of record overhead), Lambda and DynamoDB per event as this run billed them.
 */
const monthlyBillOf = async (
  kafka: Kafka,
  eventsPerSecond: number,
  cost: { lambdaCompute: number; lambdaRequests: number; dynamoDb: number },
): Promise<DemoSummary['monthlyBill']> => {
  const records = await readTopic(kafka, TOPICS.events);
  const bytes = records.reduce((sum, r) => sum + (r.key?.length ?? 0) + (r.value?.length ?? 0) + 70, 0);
  const kafkaBytesPerEvent = records.length > 0 ? Math.round(bytes / records.length) : 0;
  const best = cheapest(
    workloadOfRun({
      eventsPerSecond,
      kafkaBytesPerEvent,
      lambdaUsdPerMillion: cost.lambdaCompute + cost.lambdaRequests,
      dynamoUsdPerMillion: cost.dynamoDb,
    }),
  );
  return {
    eventsPerSecond,
    kafkaBytesPerEvent,
    cheapest: billSummaryOf(best.overall),
    provisioned: billSummaryOf(best.provisioned),
  };
};

/** Where the demo reports as it goes. */
export interface DemoReporter {
  step(message: string): void;
  progress(figures: Record<string, number | string>): void;
  done(): void;
}

// stdout is the demo's report (and its one JSON line with --json); the tools' logger writes stderr.
const logger = createToolLogger('demo');

/**
 * Dead letters by their reason header, read from the topic at most every 10 s (the topic
 * holds the run's poison records only, a few hundred at the demo's rates).
 */
const deadLetterReasons = (kafka: Kafka): (() => Promise<Record<string, number>>) => {
  let last: { at: number; counts: Promise<Record<string, number>> } | undefined;
  return () => {
    if (last !== undefined && Date.now() - last.at < 10_000) return last.counts;
    const counts = readTopic(kafka, TOPICS.deadLetters).then((records) => {
      const byReason: Record<string, number> = {};
      for (const record of records) {
        const reason = record.headers[DeadLetterHeader.Reason] ?? 'unknown';
        byReason[reason] = (byReason[reason] ?? 0) + 1;
      }
      return byReason;
    });
    last = { at: Date.now(), counts };
    counts.catch(() => {
      last = undefined;
    });
    return counts;
  };
};

/** The EMF metrics the demo sums, by name. */
const SUMMED_METRICS = ['DynamoDBWriteRequests', 'DynamoDBWriteUnits', 'DynamoDBReadUnits'] as const;
type SummedMetric = (typeof SUMMED_METRICS)[number];

const emfValues = (line: string): Partial<Record<SummedMetric, number>> => {
  // Powertools Metrics prints Embedded Metric Format objects; CloudWatch would sum these metrics.
  if (!line.includes('DynamoDBWrite')) return {};
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return {}; // not JSON: an ordinary log line
  }
  const values: Partial<Record<SummedMetric, number>> = {};
  for (const name of SUMMED_METRICS) {
    const value = parsed[name];
    if (typeof value === 'number') values[name] = value;
    else if (Array.isArray(value))
      values[name] = value.reduce((a: number, b) => a + (typeof b === 'number' ? b : 0), 0);
  }
  return values;
};

/** The load generator's burst flags for the demo's. */
const burstFlags = (options: DemoOptions): string[] => {
  const { burst } = demoRateProfile(options);
  return burst === undefined
    ? []
    : [
        '--burst',
        String(burst.rate),
        '--burst-seconds',
        String(burst.seconds),
        '--burst-every',
        String(burst.everySeconds),
      ];
};

const runLoadGenerator = (
  options: DemoOptions,
  stack: RunningStack,
  signal: AbortSignal,
  onProgress: (line: string) => void,
): Promise<LoadSummary> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'load-generator', 'cli.ts'),
        '--rate',
        String(options.rate),
        ...burstFlags(options),
        '--duration',
        String(options.duration),
        '--seed',
        String(options.seed),
        '--bad-rate',
        String(options.badRate),
        // Idle longer than the ksql session gap, so sessions close while the demo runs.
        '--session-gap',
        String(options.sessionGap * 2),
        '--topic',
        TOPICS.events,
        '--format',
        options.format,
        '--json',
      ],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        signal,
        env: {
          ...process.env,
          KAFKA_BROKERS: stack.kafkaBrokers.join(','),
          DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
          USER_PROFILES_TABLE: stack.tables.userProfiles,
          SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onProgress(chunk.toString());
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      const summary = LoadSummarySchema.safeParse(line === '' ? undefined : JSON.parse(line));
      if (code === 0 && summary.success) resolve(summary.data);
      else reject(new Error(`the load generator failed (exit ${code}):\n${stderr.slice(-2000)}`));
    });
  });

/** `--state`: the windows on the embedded ksql engine or on a local Flink; returns its stop. */
const startDemoState = async (
  options: DemoOptions,
  brokers: readonly string[],
  reporter: DemoReporter,
): Promise<() => Promise<void>> => {
  reporter.step(
    options.state === 'flink'
      ? 'running the Flink SQL statements (flink/) on a local Apache Flink'
      : 'running the ksql migrations on the embedded engine',
  );
  const engine = await startStateEngine(options.state, {
    brokers,
    variables: { SESSION_GAP: `${options.sessionGap} SECONDS`, SESSION_GRACE: '2 SECONDS' },
    applicationId: `clickstream-demo-${options.state}`,
  });
  return engine.stop;
};

/** What runs during a demo, once started; `stops` undoes it in reverse. */
interface Running {
  readonly stack: RunningStack;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly emulator: Emulator;
  readonly dynamo: DynamoDBDocumentClient;
  readonly metricTotals: Record<SummedMetric, number>;
  /** The error of a function whose init failed with a ConfigError (its mapping has stopped). */
  readonly fatal: () => Error | undefined;
  dashboardUrl: string | undefined;
}

/** Phase 1: the stack (broker, dynalite, topics, tables), a Kafka admin, the windows (`--state`). */
const startInfrastructure = async (
  options: DemoOptions,
  reporter: DemoReporter,
  stops: Array<() => Promise<void>>,
): Promise<{ stack: RunningStack; kafka: Kafka; admin: Admin; serverlessConfig: unknown }> => {
  reporter.step('resolving serverless.yml (sls print)');
  const resolvedConfig = await loadServerlessConfig({ serviceDir: REPO_ROOT });

  reporter.step('starting the local stack (Kafka broker, dynalite, topics, tables)');
  const endpoints = resolveEndpoints(process.env, undefined);
  const stack = await startStack({ kafka: endpoints.kafka, dynamodbEndpoint: endpoints.dynamodbEndpoint });
  stops.push(stack.stop);
  const serverlessConfig =
    options.format === 'avro' ? withSchemaRegistry(resolvedConfig, stack.schemaRegistryUrl) : resolvedConfig;
  const kafka = createKafkaClient(plaintextConnection(stack.kafkaBrokers), {
    clientId: 'demo',
    log: silentLogger,
  });
  const admin = kafka.admin();
  await admin.connect();
  stops.push(() => admin.disconnect());

  stops.push(await startDemoState(options, stack.kafkaBrokers, reporter));
  return { stack, kafka, admin, serverlessConfig };
};

/** Phase 2: the functions behind their event source mappings, their logs to a file, their EMF metrics summed. */
const startMappings = async (
  options: DemoOptions,
  reporter: DemoReporter,
  stops: Array<() => Promise<void>>,
  infrastructure: { stack: RunningStack; serverlessConfig: unknown },
): Promise<{
  emulator: Emulator;
  metricTotals: Record<SummedMetric, number>;
  fatal: () => Error | undefined;
}> => {
  const { stack } = infrastructure;
  reporter.step(
    `bundling the functions and starting the event source mappings (function logs: ${FUNCTION_LOG})`,
  );
  mkdirSync(dirname(FUNCTION_LOG), { recursive: true });
  const functionLog = createWriteStream(FUNCTION_LOG);
  stops.push(() => new Promise<void>((closed) => functionLog.end(() => closed())));
  const metricTotals: Record<SummedMetric, number> = {
    DynamoDBWriteRequests: 0,
    DynamoDBWriteUnits: 0,
    DynamoDBReadUnits: 0,
  };
  // A function whose init fails with a ConfigError stops its mapping: the demo fails with it.
  let fatal: Error | undefined;
  const emulator: Emulator = await startEmulator({
    onFatal: (error) => {
      fatal ??= error;
    },
    config: infrastructure.serverlessConfig,
    serviceDir: REPO_ROOT,
    brokers: stack.kafkaBrokers,
    // On AWS the lag is evaluated every minute and a change applies within three; --scaling-interval
    // shortens both for a short run (kafka-scaling-modes.html).
    scalingIntervalMs: options.scalingInterval * 1000,
    scalingDelayMs: options.scalingInterval * 1000,
    environmentOverrides: {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
      ANALYTICS_TABLE: stack.tables.analytics,
      USER_PROFILES_TABLE: stack.tables.userProfiles,
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
    // The functions' logs (CloudWatch Logs on AWS) go to a file; their EMF metrics are summed.
    functionOutput: (line, _stream, functionKey) => {
      for (const [name, value] of Object.entries(emfValues(line))) {
        metricTotals[name as SummedMetric] += value;
      }
      functionLog.write(`${functionKey}\t${line}\n`);
    },
  });
  stops.push(() => emulator.stop());
  return { emulator, metricTotals, fatal: () => fatal };
};

/** Phase 3: the dashboard, reading the analytics table and the emulator's figures (`--dashboard`). */
const startDemoDashboard = async (
  options: DemoOptions,
  reporter: DemoReporter,
  stops: Array<() => Promise<void>>,
  running: Omit<Running, 'dashboardUrl'>,
): Promise<string | undefined> => {
  if (!options.dashboard) return undefined;
  const { stack, kafka, admin, emulator, dynamo, metricTotals } = running;
  const dashboard = await startDashboard({
    ...(options.port === undefined ? {} : { port: options.port }),
    dynamo,
    tables: stack.tables,
    source: 'local demo',
    // stdout is the demo's report (and its one JSON line with --json); logs go to stderr.
    logger,
    pipelineStats: esmPipelineStats(emulator, {
      deadLetters: () => countRecords(admin, TOPICS.deadLetters),
      deadLettersByReason: deadLetterReasons(kafka),
      dynamoDbUnits: () => ({ write: metricTotals.DynamoDBWriteUnits, read: metricTotals.DynamoDBReadUnits }),
    }),
  });
  stops.push(dashboard.stop);
  reporter.step(`dashboard: ${dashboard.url}`);
  return dashboard.url;
};

/** Starts everything a demo runs, in order, each stop registered as soon as it exists. */
const startDemo = async (
  options: DemoOptions,
  reporter: DemoReporter,
  stops: Array<() => Promise<void>>,
): Promise<Running> => {
  const infrastructure = await startInfrastructure(options, reporter, stops);
  const { emulator, metricTotals, fatal } = await startMappings(options, reporter, stops, infrastructure);
  const dynamo = DynamoDBDocumentClient.from(localDynamoClient(infrastructure.stack.dynamodbEndpoint));
  stops.push(async () => dynamo.destroy());
  const running = { ...infrastructure, emulator, dynamo, metricTotals, fatal };
  return { ...running, dashboardUrl: await startDemoDashboard(options, reporter, stops, running) };
};

/**
 * Phase 4: reports the pipeline's figures every second while it runs, and records the
 * aggregation mapping's event pollers (emulators/esm/scaler.ts) each time they change.
 */
const watchProgress = (
  running: Running,
  reporter: DemoReporter,
): { pollers: DemoSummary['pollers']; stop: () => void } => {
  const { admin, emulator, metricTotals } = running;
  const emulatorStarted = Date.now();
  const pollers: DemoSummary['pollers'] = { mode: 'on-demand', max: 0, timeline: [] };
  const figures = async (): Promise<Record<string, number>> => {
    const mappings = emulator.stats().mappings;
    const aggregate = mappings.find((m) => m.topic === TOPICS.events);
    if (aggregate !== undefined && pollers.timeline.at(-1)?.pollers !== aggregate.pollers) {
      pollers.mode = aggregate.scalingMode;
      pollers.max = Math.max(pollers.max, aggregate.pollers);
      pollers.timeline.push({
        atSeconds: Math.round((Date.now() - emulatorStarted) / 1000),
        pollers: aggregate.pollers,
        lag: aggregate.lag,
      });
    }
    return {
      produced: await countRecords(admin, TOPICS.events),
      consumed: aggregate?.recordsDelivered ?? 0,
      lag: mappings.reduce((sum, m) => sum + m.lag, 0),
      // The aggregation mapping's event pollers (emulators/esm/scaler.ts): they follow its lag.
      pollers: aggregate?.pollers ?? 0,
      invocations: mappings.reduce((sum, m) => sum + m.invocations, 0),
      writes: metricTotals.DynamoDBWriteRequests,
      writeUnits: metricTotals.DynamoDBWriteUnits,
      dlq: await countRecords(admin, TOPICS.deadLetters),
    };
  };
  const ticker = setInterval(() => {
    void figures().then(reporter.progress, () => {});
  }, 1000);
  return { pollers, stop: () => clearInterval(ticker) };
};

/** Phase 5: produces the load, then waits until every mapping has drained and the enrichment loop settled. */
const produceAndDrain = async (
  options: DemoOptions,
  running: Running,
  reporter: DemoReporter,
  signal: AbortSignal,
): Promise<LoadSummary> => {
  const { admin, emulator, stack } = running;
  const { burst } = demoRateProfile(options);
  reporter.step(
    `producing ${options.rate} events/s${burst === undefined ? '' : `, ${burst.rate}/s for ${burst.seconds} s of every ${burst.everySeconds} s`} for ${options.duration} s (seed ${options.seed})`,
  );
  const load = await runLoadGenerator(options, stack, signal, () => {});

  reporter.step('waiting for the pipeline to drain');
  const expected = load.acked;
  await pollUntil(
    async () => {
      const produced = await countRecords(admin, TOPICS.events);
      const mappings = emulator.stats().mappings;
      const drained =
        produced >= expected &&
        mappings.every((m) => m.lag === 0 && m.inFlight === 0 && m.buffered === 0 && m.state === 'running');
      return drained ? true : undefined;
    },
    {
      timeoutMs: options.drainTimeout * 1000,
      intervalMs: 500,
      what: 'the pipeline to drain',
      abort: running.fatal,
    },
  );
  // The session window closes only when stream time passes a session's end plus gap and
  // grace; the enrichment loop then needs its own round trip. Let it settle.
  await pollUntil(
    async () => {
      const mappings = emulator.stats().mappings;
      return mappings.every((m) => m.lag === 0 && m.inFlight === 0) ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500, what: 'the enrichment loop to drain' },
  );
  return load;
};

const EMPTY_FUNNEL: Omit<Funnel, 'minute' | 'uniqueSessions'> = {
  events: 0,
  pageViews: 0,
  clicks: 0,
  searches: 0,
  addToCarts: 0,
  removeFromCarts: 0,
  checkouts: 0,
  purchases: 0,
  revenueCents: 0n,
};

/** The run's funnel, summed over its minutes, and the busiest two minutes' top pages. */
const funnelAndTopPages = async (
  reader: AnalyticsReader,
  funnels: readonly Omit<Funnel, 'uniqueSessions'>[],
): Promise<Pick<DemoSummary, 'funnel' | 'topPages'>> => {
  const busiest = [...funnels].sort((a, b) => b.events - a.events).slice(0, 2);
  const topPages: DemoSummary['topPages'] = [];
  for (const f of busiest) {
    for (const page of (await reader.topPages(f.minute, 5)) as PageStats[]) {
      topPages.push({ minute: f.minute, path: page.path, views: page.views });
    }
  }
  const funnel = funnels.reduce(
    (sum, f) => ({
      events: sum.events + f.events,
      pageViews: sum.pageViews + f.pageViews,
      clicks: sum.clicks + f.clicks,
      searches: sum.searches + f.searches,
      addToCarts: sum.addToCarts + f.addToCarts,
      removeFromCarts: sum.removeFromCarts + f.removeFromCarts,
      checkouts: sum.checkouts + f.checkouts,
      purchases: sum.purchases + f.purchases,
      revenueCents: sum.revenueCents + f.revenueCents,
    }),
    EMPTY_FUNNEL,
  );
  const { revenueCents, ...counts } = funnel;
  return { funnel: { ...counts, revenue: decimalOfCents(revenueCents) }, topPages };
};

/** Closed sessions against enriched ones (deduplicated by event id), and the abandoned carts. */
const sessionsOf = async (kafka: Kafka, admin: Admin): Promise<DemoSummary['sessions']> => {
  const closed = (await readTopic(kafka, TOPICS.sessions)).filter((r) => r.value !== null).length;
  const enrichedRecords = await readTopic(kafka, TOPICS.sessionsEnriched);
  const enrichedIds = new Set(
    enrichedRecords.map((r) => String((JSON.parse(String(r.value)) as { eventId?: unknown }).eventId)),
  );
  return {
    closed,
    enriched: enrichedIds.size,
    duplicates: enrichedRecords.length - enrichedIds.size,
    cartAbandoned: await countRecords(admin, TOPICS.cartAbandoned),
    conserved: closed === enrichedIds.size,
  };
};

/** What the aggregation of a million events costs, from the emulator's billed time and the functions' units. */
const costPerMillionOf = (running: Running, counted: number) => {
  const aggregation = running.emulator.stats().mappings.find((m) => m.topic === TOPICS.events);
  const perMillion = counted > 0 ? 1_000_000 / counted : 0;
  return costOf({
    gbSeconds: gbSecondsOf(aggregation?.billedDurationMs ?? 0, aggregation?.memorySizeMb ?? 0) * perMillion,
    invocations: (aggregation?.invocations ?? 0) * perMillion,
    writeUnits: running.metricTotals.DynamoDBWriteUnits * perMillion,
    readUnits: running.metricTotals.DynamoDBReadUnits * perMillion,
  });
};

/** Phase 6: conservation (produced = counted, bad = dead-lettered), the funnel, sessions, ksql outputs and cost. */
const summarise = async (
  options: DemoOptions,
  running: Running,
  load: LoadSummary,
  started: number,
): Promise<Omit<DemoSummary, 'pollers' | 'dashboardUrl' | 'durationMs'>> => {
  const { kafka, admin, dynamo, stack, metricTotals } = running;
  const reader = new AnalyticsReader(dynamo, stack.tables.analytics);
  const funnels = await reader.funnels(minuteOf(started - 60 * 60_000), minuteOf(Date.now() + 60 * 60_000));
  const counted = funnels.reduce((sum, f) => sum + f.events, 0);
  // The dead-letter topic is at least once (a retried batch may dead-letter a record again):
  // a poison record is identified by where it came from.
  const deadLetters = await readTopic(kafka, TOPICS.deadLetters);
  const dlq = new Set(
    deadLetters
      .filter((r) => r.headers[DeadLetterHeader.SourceTopic] === TOPICS.events)
      .map((r) => deadLetterSourceKey(r.headers)),
  ).size;
  const bad = load.bad.malformedJson + load.bad.schemaInvalid + load.bad.oversized;
  const produced = load.valid;
  // Avro: a bad record fails the mapping's schema validation and goes to its on-failure
  // destination instead of reaching the function's dead-letter topic.
  const rejected = options.format === 'avro' ? await validationFailuresOf(kafka, TOPICS.events) : 0;
  const cost = costPerMillionOf(running, counted);
  return {
    produced,
    bad,
    counted,
    dlq: dlq + rejected,
    // A run that produced nothing checked nothing: never a PASS on zero events.
    conserved: produced > 0 && produced === counted && bad === dlq + rejected,
    writes: metricTotals.DynamoDBWriteRequests,
    writeUnits: metricTotals.DynamoDBWriteUnits,
    readUnits: metricTotals.DynamoDBReadUnits,
    costPer1M: {
      lambda: cost.lambdaCompute + cost.lambdaRequests,
      dynamoDb: cost.dynamoDb,
      total: cost.total,
    },
    monthlyBill: await monthlyBillOf(kafka, options.rate, cost),
    sessions: await sessionsOf(kafka, admin),
    ...(await funnelAndTopPages(reader, funnels)),
    ksql: await ksqlOutputsOf(kafka, admin),
  };
};

/**
 * Runs the whole pipeline locally (see `npm run demo -- --help`) and returns its summary.
 * Everything it started is stopped before it returns or throws.
 */
export const runDemo = async (
  options: DemoOptions,
  reporter: DemoReporter,
  signal: AbortSignal,
): Promise<DemoSummary> => {
  const started = Date.now();
  const stops: Array<() => Promise<void>> = [];
  try {
    const running = await startDemo(options, reporter, stops);
    const progress = watchProgress(running, reporter);
    stops.push(async () => progress.stop());
    const load = await produceAndDrain(options, running, reporter, signal);
    progress.stop();
    reporter.done();

    reporter.step('checking conservation');
    const summary = await summarise(options, running, load, started);
    return {
      ...summary,
      pollers: progress.pollers,
      dashboardUrl: running.dashboardUrl,
      durationMs: Date.now() - started,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
};
