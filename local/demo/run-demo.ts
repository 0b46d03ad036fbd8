import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Admin, Kafka } from 'kafkajs';
import { z } from 'zod';
import { esmPipelineStats } from '../../dashboard/esm-pipeline-stats.ts';
import { startDashboard } from '../../dashboard/server.ts';
import { loadServerlessConfig } from '../../deploy/serverless-print.ts';
import { type Emulator, startEmulator } from '../../emulators/esm/emulator.ts';
import { GiveUpCondition } from '../../emulators/esm/poller.ts';
import { DEFAULT_VARIABLES } from '../../ksql/migrate/migrations.ts';
import { AnalyticsReader, type Funnel, minuteOf, type PageStats } from '../../services/aggregation/index.ts';
import { DeadLetterHeader, deadLetterSourceKey } from '../../services/dead-letter/index.ts';
import { createKafkaClient } from '../../services/kafka/client.ts';
import { plaintextConnection } from '../../services/kafka/connection.ts';
import { countRecords, readTopic } from '../../services/kafka/topic-reader.ts';
import { costOf, gbSecondsOf } from '../../tooling/aws-prices.ts';
import { createToolLogger, silentLogger } from '../../tooling/logger.ts';
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
    if (!failure.success || failure.data.requestContext.condition !== GiveUpCondition.SchemaValidationFailed)
      continue;
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
  funnel: Omit<Funnel, 'minute' | 'uniqueSessions' | 'revenue'> & { revenue: number };
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

/** Where the demo reports as it goes. */
export interface DemoReporter {
  step(message: string): void;
  progress(figures: Record<string, number | string>): void;
  done(): void;
}

// stdout is the demo's report (and its one JSON line with --json); the tools' logger writes stderr.
const logger = createToolLogger('demo');

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
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    reporter.step('resolving serverless.yml (sls print)');
    const resolvedConfig = await loadServerlessConfig({ serviceDir: REPO_ROOT });

    reporter.step('starting the local stack (Kafka broker, dynalite, topics, tables)');
    const stack = await startStack({
      kafkaBrokers: process.env.KAFKA_BROKERS?.split(','),
      dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT,
    });
    stops.push(stack.stop);
    const serverlessConfig =
      options.format === 'avro'
        ? withSchemaRegistry(resolvedConfig, stack.schemaRegistryUrl)
        : resolvedConfig;
    const kafka = createKafkaClient(plaintextConnection(stack.kafkaBrokers), {
      clientId: 'demo',
      log: silentLogger,
    });
    const admin = kafka.admin();
    await admin.connect();
    stops.push(() => admin.disconnect());

    stops.push(await startDemoState(options, stack.kafkaBrokers, reporter));

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
    const emulator: Emulator = await startEmulator({
      config: serverlessConfig,
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

    const dynamo = DynamoDBDocumentClient.from(localDynamoClient(stack.dynamodbEndpoint));
    stops.push(async () => dynamo.destroy());
    let dashboardUrl: string | undefined;
    if (options.dashboard) {
      const dashboard = await startDashboard({
        ...(options.port === undefined ? {} : { port: options.port }),
        dynamo,
        tables: stack.tables,
        source: 'local demo',
        // stdout is the demo's report (and its one JSON line with --json); logs go to stderr.
        logger,
        pipelineStats: esmPipelineStats(emulator, {
          deadLetters: () => countRecords(admin, TOPICS.deadLetters),
        }),
      });
      stops.push(dashboard.stop);
      dashboardUrl = dashboard.url;
      reporter.step(`dashboard: ${dashboard.url}`);
    }

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
    stops.push(async () => clearInterval(ticker));

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
      { timeoutMs: options.drainTimeout * 1000, intervalMs: 500, what: 'the pipeline to drain' },
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
    clearInterval(ticker);
    reporter.done();

    reporter.step('checking conservation');
    const reader = new AnalyticsReader(dynamo, stack.tables.analytics);
    const from = minuteOf(started - 60 * 60_000);
    const to = minuteOf(Date.now() + 60 * 60_000);
    const funnels = await reader.funnels(from, to);
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
        revenue: Math.round((sum.revenue + f.revenue) * 100) / 100,
      }),
      {
        events: 0,
        pageViews: 0,
        clicks: 0,
        searches: 0,
        addToCarts: 0,
        removeFromCarts: 0,
        checkouts: 0,
        purchases: 0,
        revenue: 0,
      },
    );

    const closedSessions = (await readTopic(kafka, TOPICS.sessions)).filter((r) => r.value !== null).length;
    const enrichedRecords = await readTopic(kafka, TOPICS.sessionsEnriched);
    const enrichedIds = new Set(
      enrichedRecords.map((r) => String((JSON.parse(String(r.value)) as { eventId?: unknown }).eventId)),
    );
    const cartAbandoned = await countRecords(admin, TOPICS.cartAbandoned);
    const ksqlOutputs = await ksqlOutputsOf(kafka, admin);

    const aggregation = emulator.stats().mappings.find((m) => m.topic === TOPICS.events);
    const perMillion = counted > 0 ? 1_000_000 / counted : 0;
    const cost = costOf({
      gbSeconds: gbSecondsOf(aggregation?.billedDurationMs ?? 0, aggregation?.memorySizeMb ?? 0) * perMillion,
      invocations: (aggregation?.invocations ?? 0) * perMillion,
      writeUnits: metricTotals.DynamoDBWriteUnits * perMillion,
      readUnits: metricTotals.DynamoDBReadUnits * perMillion,
    });
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
      sessions: {
        closed: closedSessions,
        enriched: enrichedIds.size,
        duplicates: enrichedRecords.length - enrichedIds.size,
        cartAbandoned,
        conserved: closedSessions === enrichedIds.size,
      },
      topPages,
      ksql: ksqlOutputs,
      funnel,
      pollers,
      dashboardUrl,
      durationMs: Date.now() - started,
    };
  } finally {
    await stopAll();
  }
};
