/**
 * `npm run esm` — runs the Kafka event source mappings of serverless.yml against the local
 * stack (or KAFKA_BROKERS), prints per-mapping figures periodically, stops cleanly on Ctrl-C.
 */

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServerlessConfig } from '../../serverless/print.ts';
import { plaintextConnection, toKafkaEnv } from '../../services/kafka/connection.ts';
import { CONNECT_TIMEOUT_MS } from '../../services/kafka/deadline.ts';
import { resolveEndpoints } from '../../tooling/endpoints.ts';
import { createToolLogger, silentLogger } from '../../tooling/logger.ts';
import { ESM_METRICS_FILE, readStackState } from '../../tooling/stack-state.ts';
import { type EsmCliConfig, type EsmCliFlags, parseEsmCliArgs, readEsmCliConfig } from './config.ts';
import { type Emulator, type EmulatorStats, startEmulator } from './emulator.ts';
import { EsmError } from './errors.ts';
import { secretsManagerClients } from './mapping-credentials.ts';

const HELP = `Usage: npm run esm -- [options]

Emulates AWS Lambda's Kafka event source mapping for the functions of serverless.yml:
each kafka/msk event gets its own consumer group, batches by BatchSize and
MaximumBatchingWindowInSeconds, and invokes the function's esbuild bundle (as deployed) in
warm worker-thread environments. Offsets are committed only after a batch succeeds.

Options:
  --brokers <host:port,...>   Kafka to consume from (default: $KAFKA_BROKERS, else the
                              running local stack — npm run stack -- up)
  --config <file>             an already-resolved configuration (serverless print --format
                              json) instead of running serverless print
  --stage <stage>             serverless stage to resolve
  --function <key>            only this function (repeatable)
  --env <NAME=value>          environment override for every function (repeatable);
                              KAFKA_BROKERS and DYNAMODB_ENDPOINT of the stack are set already
  --bundle-dir <dir>          where bundles go (default: dist)
  --stats-interval <seconds>  print figures every n seconds, 0 for never (default: 5)
  --session-timeout <ms>      consumer session timeout (default: 10000)
  --scaling-interval <seconds>  how often the offset lag is evaluated for event poller
                              scaling (default: 60, as on AWS)
  --scaling-delay <seconds>   on-demand: how long a scaling decision takes to apply
                              (default: 60; AWS: within three minutes)
  --metrics-file <file>       MetricsConfig: append each mapping's metrics (CloudWatch EMF, one
                              JSON line per mapping and interval) to this file (default:
                              .cache/stack/esm-metrics.jsonl, which the dashboard reads)
  --metrics-interval <seconds>  how often the metrics are published (default: 60, as Lambda)
  --json                      print figures as one JSON line each time
  -h, --help                  this text

Environment:
  KAFKA_BROKERS, DYNAMODB_ENDPOINT   endpoints (else the running local stack's)
  ESM_LOG_LEVEL                      DEBUG | INFO | WARN | ERROR | SILENT (default INFO)
  AWS_ENDPOINT_URL_SECRETS_MANAGER   where mappings with SourceAccessConfigurations (SASL/PLAIN,
                                     SCRAM) read their secret, e.g. the local stand-in (npm run
                                     secrets-manager); else the function's region

A mapping whose credentials the cluster refuses is stopped at once (LastProcessingResult
"PROBLEM: SASL authentication failed"); when every mapping is refused, the emulator exits 1
naming the mechanism and the brokers.

Custom settings serverless v3 cannot put on a kafka event (see docs/esm-emulator.md):
  custom.esm.<function>: { provisionedPollerConfig: { minimumPollers, maximumPollers },
                           functionResponseTypes: [ReportBatchItemFailures],
                           maximumRetryAttempts, maximumRecordAgeInSeconds,
                           bisectBatchOnFunctionError, maximumBatchingWindow,
                           onFailureDestination,
                           schemaRegistryConfig: { schemaRegistryURI, eventRecordFormat,
                             schemaValidationConfigs: [{ attribute }], accessConfigs } }
  (all but provisionedPollerConfig need provisioned mode; serverless.yml sets them from
  resources/esm-<esmScalingMode>.yml)

Runs until Ctrl-C. An unreachable or silent cluster ends it within ${CONNECT_TIMEOUT_MS / 1000} s of
resolving the configuration (serverless print takes 5–15 s; --config skips it), exit code 1,
naming the brokers.
`;

const SERVICE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const formatStats = (stats: EmulatorStats): string =>
  stats.mappings
    .map((m) => {
      const pool = stats.functions[m.functionKey];
      return [
        `${m.functionKey} ← ${m.topic}`,
        `lag ${m.lag}`,
        `invocations ${m.invocations} (errors ${m.failed}, retries ${m.retries}, timeouts ${m.timeouts})`,
        `records ${m.recordsDelivered} (+${m.recordsFiltered} filtered, ${m.recordsToDestination} to destination, ${m.recordsDropped} dropped, ${m.recordsExpired} expired)`,
        `batch mean ${m.batchSize.mean.toFixed(1)} max ${m.batchSize.max}`,
        `in flight ${m.inFlight}`,
        `environments ${pool?.instances ?? 0} (cold starts ${pool?.coldStarts ?? 0})`,
        `${m.scalingMode} pollers ${m.pollers}${m.pendingPollers === undefined ? '' : ` → ${m.pendingPollers}`} (max concurrency ${m.maxConcurrency})`,
      ].join('  ');
    })
    .join('\n');

/** The cluster to consume from and the environment every function gets on top of its own. */
const resolveTargets = (
  flags: EsmCliFlags,
): { readonly brokers: readonly string[]; readonly overrides: Record<string, string> } => {
  const stack = readStackState();
  const endpoints = resolveEndpoints(
    process.env,
    stack,
    (message, options) => new EsmError(message, options),
  );
  const kafka = flags.brokers === undefined ? endpoints.kafka : plaintextConnection(flags.brokers);
  if (kafka === undefined) {
    throw new EsmError(
      'no Kafka cluster: start the local stack (npm run stack -- up), set KAFKA_BROKERS or pass --brokers',
    );
  }
  const dynamodbEndpoint = endpoints.dynamodbEndpoint;
  const overrides: Record<string, string> = {
    ...toKafkaEnv(kafka),
    ...(dynamodbEndpoint === undefined ? {} : { DYNAMODB_ENDPOINT: dynamodbEndpoint }),
    ...(stack === undefined || endpoints.fromEnvironment.dynamodbEndpoint
      ? {}
      : { ANALYTICS_TABLE: stack.tables.analytics, USER_PROFILES_TABLE: stack.tables.userProfiles }),
    ...flags.env,
  };
  return { brokers: kafka.brokers, overrides };
};

/** The resolved serverless configuration: the --config file, else `serverless print`. */
const loadConfig = async (flags: EsmCliFlags): Promise<unknown> => {
  process.stderr.write(
    flags.config ? `reading ${flags.config}\n` : 'resolving serverless.yml (serverless print)…\n',
  );
  return flags.config
    ? JSON.parse(readFileSync(flags.config, 'utf8'))
    : await loadServerlessConfig({
        serviceDir: SERVICE_DIR,
        ...(flags.stage === undefined ? {} : { stage: flags.stage }),
      });
};

/**
 * The first function that cannot start (its init fails with a ConfigError); it stops the
 * emulator, exit code 1. `stop` is set once the emulator runs; a failure before that stops it then.
 */
interface FatalWatch {
  error: Error | undefined;
  stop: () => void;
}

const watchFatal = (): { readonly watch: FatalWatch; readonly onFatal: (error: Error) => void } => {
  const watch: FatalWatch = { error: undefined, stop: () => {} };
  const onFatal = (error: Error): void => {
    if (watch.error !== undefined) return;
    watch.error = error;
    process.stderr.write(`esm emulator: a function cannot start: ${error.message}\n`);
    watch.stop();
  };
  return { watch, onFatal };
};

/** The emulator's options from the flags: only the flags given override its defaults. */
const emulatorOptions = (flags: EsmCliFlags, env: EsmCliConfig) => ({
  secretsManager: secretsManagerClients({
    localEndpoint: env.secretsManagerEndpoint !== undefined,
    hasCredentials: env.hasAwsCredentials,
  }),
  ...(flags.functions === undefined ? {} : { functions: flags.functions }),
  ...(flags.bundleDir === undefined ? {} : { bundleDir: resolve(flags.bundleDir) }),
  ...(flags.scalingIntervalMs === undefined ? {} : { scalingIntervalMs: flags.scalingIntervalMs }),
  ...(flags.scalingDelayMs === undefined ? {} : { scalingDelayMs: flags.scalingDelayMs }),
  ...(flags.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: flags.sessionTimeoutMs }),
  metricsFile: resolve(flags.metricsFile ?? ESM_METRICS_FILE),
  ...(flags.metricsIntervalMs === undefined ? {} : { metricsIntervalMs: flags.metricsIntervalMs }),
});

/**
 * Prints figures every --stats-interval until SIGINT or SIGTERM (or a fatal function), then
 * stops the emulator and resolves the exit code; a second signal exits at once.
 */
const runUntilStopped = (emulator: Emulator, flags: EsmCliFlags, fatal: FatalWatch): Promise<number> => {
  const print = (): void => {
    const stats = emulator.stats();
    process.stderr.write(flags.json ? `${JSON.stringify(stats)}\n` : `${formatStats(stats)}\n`);
  };
  const ticker = flags.statsEverySeconds > 0 ? setInterval(print, flags.statsEverySeconds * 1000) : undefined;

  return new Promise((resolveExit) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting without waiting\n`);
        process.exit(130);
      }
      stopping = true;
      clearInterval(ticker);
      process.stderr.write(`${signal}: finishing running invocations and committing…\n`);
      emulator
        .stop()
        .then(() => {
          print();
          resolveExit(fatal.error === undefined ? 0 : 1);
        })
        .catch((error: unknown) => {
          process.stderr.write(`stop failed: ${error instanceof Error ? error.message : String(error)}\n`);
          resolveExit(1);
        });
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    fatal.stop = () => shutdown('SIGTERM');
    if (fatal.error !== undefined) fatal.stop();
  });
};

const main = async (): Promise<number> => {
  const parsed = parseEsmCliArgs(process.argv.slice(2));
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const flags = parsed.options;
  const env = readEsmCliConfig();
  const { brokers, overrides } = resolveTargets(flags);
  const log =
    env.logLevel === 'SILENT' ? silentLogger : createToolLogger('esm-emulator', { logLevel: env.logLevel });
  const config = await loadConfig(flags);
  process.stderr.write(`starting the event source mappings against ${brokers.join(',')}…\n`);
  const { watch, onFatal } = watchFatal();
  const emulator = await startEmulator({
    onFatal,
    config,
    serviceDir: SERVICE_DIR,
    brokers,
    environmentOverrides: overrides,
    log,
    ...emulatorOptions(flags, env),
  });
  const initial = emulator.stats();
  process.stderr.write(
    `running ${initial.mappings.length} mapping(s): ${initial.mappings.map((m) => `${m.functionKey} ← ${m.topic} (group ${m.consumerGroupId})`).join(', ')}; Ctrl-C stops\n`,
  );
  return runUntilStopped(emulator, flags, watch);
};

main().then(
  (code) => {
    process.exitCode = code;
    // Everything is stopped; do not let a straggling socket keep the process alive.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`esm emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    // A kafkajs client that gave up on a silent broker can leave retry timers behind.
    process.stderr.write('', () => process.exit(1));
  },
);
