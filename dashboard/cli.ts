import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Admin } from 'kafkajs';
import { z } from 'zod';
import { createKafkaClient } from '../services/kafka/client.ts';
import { plaintextConnection } from '../services/kafka/connection.ts';
import { numberFlag, parseCliArgs, portFlag } from '../tooling/cli-args.ts';
import { createToolLogger, silentLogger } from '../tooling/logger.ts';
import { readStackState } from '../tooling/stack-state.ts';
import { cloudWatchPipelineStats } from './cloudwatch-pipeline-stats.ts';
import { type DashboardConfig, DEFAULT_DEAD_LETTER_TOPIC, readDashboardConfig } from './config.ts';
import { DashboardConfigError } from './errors.ts';
import { deadLetterCounter, kafkaPipelineStats } from './kafka-pipeline-stats.ts';
import type { PipelineStatsSource } from './pipeline-stats.ts';
import { startDashboard } from './server.ts';

const HELP = `Usage: npm run dashboard -- [--port <n>] [--refresh <seconds>]

Serves the live clickstream dashboard on 127.0.0.1 and prints its URL: events per minute,
top pages, the funnel, sessions, conversion by segment and device, abandoned carts and the
pipeline's health, read from the DynamoDB aggregates and refreshed every few seconds.
Everything the page needs is bundled at start-up; it makes no request to another host.

Options:
  --port <n>          port to listen on (default: any free port)
  --refresh <seconds> how often the page refreshes, 1 to 60 (default: 2)
  --help              this text

Where it reads from:
  by default          the local stack (npm run stack -- up), from .cache/stack/endpoints.json
  ANALYTICS_TABLE     read this table instead, with
    DYNAMODB_ENDPOINT   a local DynamoDB endpoint (e.g. http://127.0.0.1:8000), or
    AWS_REGION          the region of a deployed stage (credentials from the usual AWS chain)
  USER_PROFILES_TABLE the user-profiles table (shown for reference)
  KAFKA_BROKERS       brokers to read consumer lag and the dead-letter count from
                      (default: the local stack's; unset on AWS shows health as unavailable)
  DLQ_TOPIC           the dead-letter topic (default: ${DEFAULT_DEAD_LETTER_TOPIC})
  EVENT_SOURCE_MAPPINGS  deployed mappings, function:uuid:topic[:group] comma-separated: the
                      health panel reads their CloudWatch metrics (OffsetLag, ProvisionedPollers,
                      InvokedEventCount) and their functions' (Invocations, Errors, Duration) in
                      AWS_REGION, once a minute; KAFKA_BROKERS then only counts dead letters

Inside \`npm run demo\` the dashboard also shows the event source mappings' invocations,
batch sizes, errors and retries. See docs/dashboard.md.`;

const FlagsSchema = z.object({
  port: portFlag('--port').default(0),
  refreshMs: numberFlag('--refresh')
    .min(1, '--refresh must be 1 to 60 seconds')
    .max(60, '--refresh must be 1 to 60 seconds')
    .default(2)
    .transform((seconds) => Math.round(seconds * 1000)),
});

const parseFlags = (): z.infer<typeof FlagsSchema> | undefined => {
  const parsed = parseCliArgs(process.argv.slice(2), {
    options: { port: { type: 'string' }, refresh: { type: 'string' }, help: { type: 'boolean' } },
    toInput: (values) => ({ port: values.port, refreshMs: values.refresh }),
    schema: FlagsSchema,
    makeError: (message, options) => new DashboardConfigError(message, options),
  });
  return parsed.help ? undefined : parsed.options;
};

/** CloudWatch when EVENT_SOURCE_MAPPINGS names deployed mappings, else Kafka's consumer groups. */
const pipelineStatsOf = (
  config: DashboardConfig,
  admin: Admin | undefined,
  cloudWatch: CloudWatchClient | undefined,
): PipelineStatsSource | undefined => {
  if (config.cloudWatch !== undefined && cloudWatch !== undefined) {
    const tables = [
      config.tables.analytics,
      ...(config.tables.userProfiles === undefined ? [] : [config.tables.userProfiles]),
    ];
    return cloudWatchPipelineStats(cloudWatch, {
      region: config.cloudWatch.region,
      mappings: config.cloudWatch.mappings,
      tables,
      since: Date.now(),
      ...(admin === undefined ? {} : { deadLetters: deadLetterCounter(admin, config.deadLetterTopic) }),
    });
  }
  return admin === undefined
    ? undefined
    : kafkaPipelineStats(admin, { deadLetterTopic: config.deadLetterTopic });
};

const main = async (): Promise<number> => {
  let flags: ReturnType<typeof parseFlags>;
  let config: ReturnType<typeof readDashboardConfig>;
  try {
    flags = parseFlags();
    if (flags === undefined) {
      console.log(HELP);
      return 0;
    }
    config = readDashboardConfig(process.env, readStackState());
  } catch (error) {
    console.error(`dashboard: ${(error as Error).message}\nRun with --help for the options.`);
    return 2;
  }

  const logger = createToolLogger('dashboard');
  const dynamo = new DynamoDBClient({
    region: config.dynamodb.region,
    ...(config.dynamodb.endpoint === undefined ? {} : { endpoint: config.dynamodb.endpoint }),
    ...(config.dynamodb.dummyCredentials
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  // Few retries and a short timeout: a broker that is down shows as "unavailable" at once.
  const admin =
    config.kafkaBrokers === undefined
      ? undefined
      : createKafkaClient(plaintextConnection(config.kafkaBrokers), {
          clientId: 'clickstream-dashboard',
          log: silentLogger,
          connectionTimeoutMs: 1000,
          requestTimeoutMs: 2000,
          retry: { retries: 1 },
        }).admin();

  const cloudWatch =
    config.cloudWatch === undefined ? undefined : new CloudWatchClient({ region: config.cloudWatch.region });
  const dashboard = await startDashboard({
    port: flags.port,
    refreshMs: flags.refreshMs,
    dynamo,
    tables: config.tables,
    source: config.source,
    pipelineStats: pipelineStatsOf(config, admin, cloudWatch),
    logger,
  });
  console.log(
    `Dashboard: ${dashboard.url}  (reading ${config.tables.analytics} from ${config.source}; Ctrl-C stops it)`,
  );

  await new Promise<void>((resolveSignal) => {
    process.once('SIGINT', resolveSignal);
    process.once('SIGTERM', resolveSignal);
  });
  await dashboard.stop();
  await admin?.disconnect().catch(() => {});
  dynamo.destroy();
  cloudWatch?.destroy();
  return 0;
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`dashboard: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.cause instanceof Error)
      console.error(`  caused by: ${error.cause.message}`);
    process.exitCode = 1;
  },
);
