/**
 * The Kafka event source mapping emulator: for every `kafka`/`msk` event of the resolved
 * serverless configuration, a poller in its own consumer group invoking the function's
 * bundled handler (esbuild output, as deployed) in warm worker-thread environments.
 *
 * ```ts
 * const emulator = await startEmulator({ config: await loadServerlessConfig(), serviceDir, brokers });
 * console.log(emulator.stats());
 * await emulator.stop();
 * ```
 */

import { join, resolve } from 'node:path';
import { bundleHandlers, deployBuildOptions } from '../../serverless/bundle.ts';
import { isAuthenticationFailure } from '../../services/kafka/errors.ts';
import { silentLogger, type ToolLog } from '../../tooling/logger.ts';
import { authenticationError, connectMappings, defaultSecretsManagerClients } from './clusters.ts';
import { EsmError, type MappingAuthenticationError } from './errors.ts';
import { type FunctionOutput, FunctionPool, type FunctionPoolStats } from './function-pool.ts';
import { readRegistryCredentials, type SecretsManagerClientFor } from './mapping-credentials.ts';
import type { EmfDocument } from './mapping-metrics.ts';
import { MetricsPublisher } from './metrics-publisher.ts';
import { MappingPoller, type MappingStats } from './poller.ts';
import { type PollerGroupStats, PollerGroups } from './poller-groups.ts';
import {
  type EventSourceMapping,
  type FunctionDefinition,
  resolveServerlessConfig,
} from './serverless-config.ts';
import type { SystemLogRecord } from './system-log.ts';

export interface EmulatorOptions {
  /** The resolved serverless configuration (`serverless print --format json`, parsed). */
  readonly config: unknown;
  /** The service root: handler paths are relative to it. */
  readonly serviceDir: string;
  /** Brokers of the local cluster; they replace the configured bootstrap servers. */
  readonly brokers: readonly string[];
  /** Extra environment for every function (e.g. KAFKA_BROKERS, DYNAMODB_ENDPOINT of the local stack). */
  readonly environmentOverrides?: Readonly<Record<string, string>>;
  /** Only these functions (keys under `functions:`); all with Kafka events by default. */
  readonly functions?: readonly string[];
  /** Where bundles go; `<serviceDir>/dist` by default. */
  readonly bundleDir?: string;
  readonly log?: ToolLog;
  /** Consumer session timeout (ms); a restarted emulator waits this long for its dead predecessor. */
  readonly sessionTimeoutMs?: number;
  /** Delay before retry n (ms). */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Overrides every function's timeout (ms), for tests. */
  readonly timeoutMs?: number;
  /** Receives the functions' log lines instead of this process' stdout/stderr. */
  readonly functionOutput?: FunctionOutput;
  /** How often each mapping's offset lag is evaluated for scaling (ms); one minute, as on AWS, by default. */
  readonly scalingIntervalMs?: number;
  /** On-demand: delay before a scaling decision applies (ms); one minute by default (AWS: within three). */
  readonly scalingDelayMs?: number;
  /** Called when a function cannot start for its configuration (its mapping has stopped). */
  readonly onFatal?: (error: Error) => void;
  /**
   * The Secrets Manager client of a function's region, for mappings whose SourceAccessConfigurations
   * name a secret (Lambda reads it in the function's region). By default the SDK's, which
   * honours AWS_ENDPOINT_URL_SECRETS_MANAGER.
   */
  readonly secretsManager?: SecretsManagerClientFor;
  /**
   * MetricsConfig: a JSON-lines file each mapping's metrics are appended to, one CloudWatch
   * EMF document per interval (they also go to `log`); the dashboard reads it.
   */
  readonly metricsFile?: string;
  /** How often the metrics are published (ms); one minute by default. */
  readonly metricsIntervalMs?: number;
  /**
   * LoggingConfig: receives the mappings' system log records; by default one JSON line each on
   * stdout, where the functions' own logs go ("the event source mapping reuses the same log
   * destination with your Lambda function": esm-logging.html).
   */
  readonly systemLogOutput?: (record: SystemLogRecord) => void;
}

/** Everything {@link Emulator.stats} reports. */
export interface EmulatorStats {
  readonly mappings: readonly MappingStats[];
  /** PollerGroupName groups: their members and pollers together. */
  readonly pollerGroups: readonly PollerGroupStats[];
  /** Per function key: its execution environments. */
  readonly functions: Readonly<Record<string, FunctionPoolStats>>;
}

/** A running emulator. */
export interface Emulator {
  stats(): EmulatorStats;
  /** MetricsConfig: the EMF documents of the last interval published, one per mapping that has it. */
  metrics(): readonly EmfDocument[];
  /** Stops polling, lets running invocations finish and commit, terminates the environments. */
  stop(): Promise<void>;
}

/**
 * Validates every mapping, bundles the functions, and starts one poller per mapping.
 *
 * @throws {MappingConfigError} naming the function and setting when a mapping is invalid
 *   (nothing is left running).
 * @throws {MappingSecretError} naming the function and the secret when a mapping's credentials
 *   cannot be read.
 * @throws {MappingAuthenticationError} naming the mechanism and the brokers when the cluster
 *   refuses the credentials of every mapping; a mapping refused among others is stopped and
 *   reported in its figures (lastProcessingResult) while the others run.
 */
export const startEmulator = async (options: EmulatorOptions): Promise<Emulator> => {
  const log = options.log ?? silentLogger;
  const service = resolveServerlessConfig(options.config);
  for (const warning of service.warnings) log.warn('configuration not emulated', { detail: warning });
  const { mappings, functions } = selectMappings(service, options.functions);
  const secretsFor = options.secretsManager ?? defaultSecretsManagerClients;
  const { clusters, refused } = await connectMappings({
    mappings,
    functions,
    brokers: options.brokers,
    clientId: `esm-emulator-${service.service}`,
    secretsFor,
  });
  const registryCredentials = await registryCredentialsOf(mappings, functions, secretsFor);
  const pools = await startPools(options, functions, log);
  const pollers: Array<{ mapping: EventSourceMapping; poller: MappingPoller }> = [];
  const publisher = new MetricsPublisher({
    pollers,
    log,
    file: options.metricsFile,
    ...(options.metricsIntervalMs === undefined ? {} : { intervalMs: options.metricsIntervalMs }),
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(pollers.map(({ poller }) => poller.stop()));
      publisher.stop();
      await Promise.all([...pools.values()].map((pool) => pool.stop()));
      await Promise.all(clusters.map((cluster) => cluster.disconnect()));
    })();
    return stopping;
  };
  const groups = joinPollerGroups(mappings);
  try {
    for (const mapping of mappings) {
      const fn = functions.get(mapping.functionKey);
      const pool = pools.get(mapping.functionKey);
      const cluster = clusters.find((candidate) => candidate.mappings.includes(mapping));
      if (fn === undefined || pool === undefined || cluster === undefined) continue;
      const poller = new MappingPoller({
        ...pollerOptionsOf(options, log, groups),
        mapping,
        fn,
        kafka: cluster.kafka,
        pool,
        destinationProducer: cluster.producer,
        registryBasicAuth: registryCredentials.get(mapping.uuid),
      });
      pollers.push({ mapping, poller });
      await startOrRefuse(poller, mapping, refused.get(mapping.uuid), options.brokers, log);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  publisher.start();
  return {
    stats: () => ({
      mappings: pollers.map(({ poller }) => poller.stats()),
      pollerGroups: groups.stats(),
      functions: Object.fromEntries([...pools].map(([key, pool]) => [key, pool.stats()])),
    }),
    metrics: () => publisher.latest(),
    stop,
  };
};

/** The mappings of the functions asked for (all by default) and those functions. */
const selectMappings = (
  service: ReturnType<typeof resolveServerlessConfig>,
  only: readonly string[] | undefined,
): { mappings: EventSourceMapping[]; functions: Map<string, FunctionDefinition> } => {
  const wanted = only === undefined ? undefined : new Set(only);
  for (const key of wanted ?? []) {
    if (!service.functions.has(key))
      throw new EsmError(`no function "${key}" in the serverless configuration`);
  }
  const mappings = service.mappings.filter((m) => wanted === undefined || wanted.has(m.functionKey));
  const functions = new Map<string, FunctionDefinition>();
  for (const mapping of mappings) {
    const fn = service.functions.get(mapping.functionKey);
    if (fn !== undefined) functions.set(fn.key, fn);
  }
  return { mappings, functions };
};

/**
 * SchemaRegistryConfig BASIC_AUTH: the registry's credentials, read once per mapping from the
 * secret in the function's region, as for the cluster's.
 */
const registryCredentialsOf = async (
  mappings: readonly EventSourceMapping[],
  functions: ReadonlyMap<string, FunctionDefinition>,
  secretsFor: SecretsManagerClientFor,
): Promise<Map<string, string>> => {
  const credentials = new Map<string, string>();
  for (const mapping of mappings) {
    const secretArn = mapping.schemaRegistry?.basicAuthSecretArn;
    const fn = functions.get(mapping.functionKey);
    if (secretArn === undefined || fn === undefined) continue;
    credentials.set(
      mapping.uuid,
      await readRegistryCredentials(secretsFor(fn.region), mapping.functionKey, secretArn),
    );
  }
  return credentials;
};

/** Bundles the functions as deployed and gives each its pool of execution environments. */
const startPools = async (
  options: EmulatorOptions,
  functions: ReadonlyMap<string, FunctionDefinition>,
  log: ToolLog,
): Promise<Map<string, FunctionPool>> => {
  const serviceDir = resolve(options.serviceDir);
  const started = performance.now();
  const bundles = await bundleHandlers({
    serviceDir,
    outDir: options.bundleDir ?? join(serviceDir, 'dist'),
    handlerModules: [...functions.values()].map((fn) => fn.handlerModule),
    build: deployBuildOptions(options.config),
  });
  const bundleOf = new Map(bundles.map((bundle) => [bundle.handlerModule, bundle.outFile]));
  log.info('functions bundled', {
    functions: [...functions.keys()],
    durationMs: Math.round(performance.now() - started),
  });
  const pools = new Map<string, FunctionPool>();
  for (const fn of functions.values()) {
    const handlerFile = bundleOf.get(fn.handlerModule);
    if (handlerFile === undefined) throw new EsmError(`no bundle for ${fn.handlerModule}`);
    pools.set(
      fn.key,
      new FunctionPool({
        fn,
        handlerFile,
        ...(options.environmentOverrides === undefined
          ? {}
          : { environmentOverrides: options.environmentOverrides }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.functionOutput === undefined ? {} : { functionOutput: options.functionOutput }),
      }),
    );
  }
  return pools;
};

/** PollerGroupName: every provisioned mapping that names a group joins it at its MinimumPollers. */
const joinPollerGroups = (mappings: readonly EventSourceMapping[]): PollerGroups => {
  const groups = new PollerGroups();
  for (const mapping of mappings) {
    if (mapping.pollerGroupName !== undefined) {
      groups.join(mapping.pollerGroupName, mapping.uuid, mapping.minimumPollers);
    }
  }
  return groups;
};

const writeSystemLogRecord = (record: SystemLogRecord): void => {
  process.stdout.write(`${JSON.stringify(record)}\n`);
};

/** The options every poller shares. */
const pollerOptionsOf = (options: EmulatorOptions, log: ToolLog, groups: PollerGroups) => ({
  brokers: options.brokers,
  log,
  pollerGroups: groups,
  systemLogOutput: options.systemLogOutput ?? writeSystemLogRecord,
  ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
  ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
  ...(options.scalingIntervalMs === undefined ? {} : { scalingIntervalMs: options.scalingIntervalMs }),
  ...(options.scalingDelayMs === undefined ? {} : { scalingDelayMs: options.scalingDelayMs }),
  ...(options.onFatal === undefined ? {} : { onFatal: options.onFatal }),
});

/**
 * Starts a mapping, or stops it with the reason when the cluster refused its credentials
 * (at connect, or at its first contact): it stays in the figures while the others run.
 */
const startOrRefuse = async (
  poller: MappingPoller,
  mapping: EventSourceMapping,
  refusedAtConnect: MappingAuthenticationError | undefined,
  brokers: readonly string[],
  log: ToolLog,
): Promise<void> => {
  let refusal = refusedAtConnect;
  if (refusal === undefined) {
    try {
      await poller.start();
    } catch (error) {
      if (!isAuthenticationFailure(error)) throw error;
      refusal = authenticationError(mapping, brokers, error);
    }
  }
  if (refusal === undefined) return;
  log.error('mapping stopped: the cluster refused its credentials', {
    mapping: mapping.uuid,
    function: mapping.functionKey,
    lastProcessingResult: refusal.lastProcessingResult,
    error: refusal.message,
  });
  await poller.refuse(refusal);
};
