/**
 * `npm run lambda-sink -- --connector <file>`: runs a connector configuration printed by
 * `npm run connector` against the local stack, the way Confluent's AWS Lambda Sink connector
 * would run it, invoking the function's esbuild bundle (as deployed). `--help` for usage.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { bundleHandlers, deployBuildOptions } from '../../serverless/bundle.ts';
import { loadServerlessConfig } from '../../serverless/print.ts';
import { createKafkaClient } from '../../services/kafka/client.ts';
import { plaintextConnection } from '../../services/kafka/connection.ts';
import { numberFlag, parseCliArgs } from '../../tooling/cli-args.ts';
import { createToolLogger } from '../../tooling/logger.ts';
import { readStackState } from '../../tooling/stack-state.ts';
import { FunctionPool } from '../esm/function-pool.ts';
import { resolveServerlessConfig } from '../esm/serverless-config.ts';
import { readSinkConnector } from './connector-config.ts';
import { LambdaSinkTask, OFFSET_FLUSH_INTERVAL_MS, type SinkTaskStats } from './sink-task.ts';

const HELP = `Usage: npm run lambda-sink -- --connector <file> [options]

A local stand-in for one task of Confluent's AWS Lambda Sink connector: reads the
connector's topics in consumer group connect-<name>, invokes the function named by
aws.lambda.function.name (its esbuild bundle, in warm worker-thread environments) with the
connector's payload, aws.lambda.batch.size records at a time, sync or async, and handles a
failed invocation as behavior.on.error says. Offsets are committed every
offset.flush.interval.ms and when it stops. Against the local stack (npm run stack -- up).

Options:
  --connector <file>           the JSON npm run connector printed (use --stage local)
  --config <file>              the resolved serverless configuration (npx sls print
                               --format json); default: serverless print (5–15 s)
  --offset-flush-interval <s>  seconds between offset commits (default ${OFFSET_FLUSH_INTERVAL_MS / 1000}, Connect's)
  --async-retry-delay <s>      async: seconds before Lambda's first retry, doubled for the
                               second (default 1; on AWS about 60 and 120)
  -h, --help                   this text

Runs until SIGINT/SIGTERM (it then finishes the invocations in flight, commits and prints
its figures; exit 0), or until the task fails (behavior.on.error fail: exit 1, naming the
record; run it again to resume from the last commit).
`;

const SERVICE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const Flags = z.object({
  connector: z.string({ error: '--connector is required' }).min(1, '--connector is required'),
  config: z.string().optional(),
  offsetFlushSeconds: numberFlag('--offset-flush-interval')
    .positive('--offset-flush-interval expects seconds (more than 0)')
    .default(OFFSET_FLUSH_INTERVAL_MS / 1000),
  asyncRetryDelaySeconds: numberFlag('--async-retry-delay')
    .min(0, '--async-retry-delay expects seconds (0 or more)')
    .default(1),
});

const formatStats = (name: string, functionName: string, settings: string, stats: SinkTaskStats): string =>
  [
    `${name} → ${functionName}`,
    settings,
    `${stats.state}`,
    `invocations ${stats.invocations} (failed ${stats.failedInvocations}, async retries ${stats.asyncRetries})`,
    `records ${stats.records} (batch max ${stats.maxBatch})`,
    `error topic ${stats.errorRecords}`,
    `async dropped ${stats.asyncDropped}`,
  ].join('  ');

const main = async (): Promise<number> => {
  const parsed = parseCliArgs(process.argv.slice(2), {
    options: {
      connector: { type: 'string' },
      config: { type: 'string' },
      'offset-flush-interval': { type: 'string' },
      'async-retry-delay': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    toInput: (values) => ({
      connector: values.connector,
      config: values.config,
      offsetFlushSeconds: values['offset-flush-interval'],
      asyncRetryDelaySeconds: values['async-retry-delay'],
    }),
    schema: Flags,
  });
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const flags = parsed.options;
  const settings = readSinkConnector(JSON.parse(readFileSync(flags.connector, 'utf8')));
  const stack = readStackState();
  if (stack === undefined) throw new Error('no local stack: start it with npm run stack -- up');
  const raw: unknown = flags.config
    ? JSON.parse(readFileSync(flags.config, 'utf8'))
    : await loadServerlessConfig({ serviceDir: SERVICE_DIR });
  const service = resolveServerlessConfig(raw);
  const fn = [...service.functions.values()].find((candidate) => candidate.name === settings.functionName);
  if (fn === undefined) {
    throw new Error(
      `no function named ${settings.functionName} in the serverless configuration (its functions: ${[...service.functions.values()].map((f) => f.name).join(', ')}); generate the connector with --stage local`,
    );
  }
  const [bundle] = await bundleHandlers({
    serviceDir: SERVICE_DIR,
    outDir: resolve(SERVICE_DIR, 'dist'),
    handlerModules: [fn.handlerModule],
    build: deployBuildOptions(raw),
  });
  if (bundle === undefined) throw new Error(`no bundle for ${fn.handlerModule}`);
  const log = createToolLogger('lambda-sink', { logLevel: 'INFO' });
  const pool = new FunctionPool({
    fn,
    handlerFile: bundle.outFile,
    environmentOverrides: {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
      ANALYTICS_TABLE: stack.tables.analytics,
      USER_PROFILES_TABLE: stack.tables.userProfiles,
    },
  });
  const kafka = createKafkaClient(plaintextConnection(stack.kafkaBrokers), {
    clientId: `lambda-sink-${settings.name}`,
    log: createToolLogger('lambda-sink-kafka', { logLevel: 'ERROR' }),
  });
  const task = new LambdaSinkTask({
    settings,
    kafka,
    pool,
    log,
    offsetFlushIntervalMs: flags.offsetFlushSeconds * 1000,
    asyncRetryDelayMs: flags.asyncRetryDelaySeconds * 1000,
  });
  await task.start();
  const describe = `${settings.invocationType} batch ${settings.batchSize} on-error ${settings.behaviorOnError}`;
  const outcome = await new Promise<Error | NodeJS.Signals>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
    void task.failed.then(done);
  });
  await task.stop();
  await pool.stop();
  process.stderr.write(`${formatStats(settings.name, fn.name, describe, task.stats())}\n`);
  if (outcome instanceof Error) {
    process.stderr.write(`lambda-sink: ${outcome.message}; run it again to resume from the last commit\n`);
    return 1;
  }
  return 0;
};

main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`lambda-sink: ${error instanceof Error ? error.message : String(error)}\n`);
    process.stderr.write('', () => process.exit(1));
  },
);
