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
import type { Kafka, Producer } from 'kafkajs';
import { bundleHandlers, deployBuildOptions } from '../../deploy/build.ts';
import { createKafkaClient } from '../../services/kafka/client.ts';
import { plaintextConnection } from '../../services/kafka/connection.ts';
import { withConnectDeadline } from '../../services/kafka/deadline.ts';
import { silentLogger, type ToolLog } from '../../tooling/logger.ts';
import { EsmError, MappingConfigError } from './errors.ts';
import { type FunctionOutput, FunctionPool, type FunctionPoolStats } from './function-pool.ts';
import { MappingPoller, type MappingStats } from './poller.ts';
import {
  type EventSourceMapping,
  type FunctionDefinition,
  resolveServerlessConfig,
} from './serverless-config.ts';

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
}

/** Everything {@link Emulator.stats} reports. */
export interface EmulatorStats {
  readonly mappings: readonly MappingStats[];
  /** Per function key: its execution environments. */
  readonly functions: Readonly<Record<string, FunctionPoolStats>>;
}

/** A running emulator. */
export interface Emulator {
  stats(): EmulatorStats;
  /** Stops polling, lets running invocations finish and commit, terminates the environments. */
  stop(): Promise<void>;
}

/** Lambda reports a mapping whose topic is missing; here it stops the start, naming the function. */
const assertTopicsExist = async (kafka: Kafka, mappings: readonly EventSourceMapping[]): Promise<void> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = new Set(await admin.listTopics());
    for (const mapping of mappings) {
      if (!topics.has(mapping.topic)) {
        throw new MappingConfigError(
          mapping.functionKey,
          'Topics',
          `topic "${mapping.topic}" does not exist on the cluster`,
        );
      }
      if (mapping.onFailureTopic !== undefined && !topics.has(mapping.onFailureTopic)) {
        // "The destination topic must exist in the same Kafka cluster as your source topics."
        throw new MappingConfigError(
          mapping.functionKey,
          'DestinationConfig.OnFailure',
          `topic "${mapping.onFailureTopic}" does not exist on the cluster`,
        );
      }
    }
  } finally {
    await admin.disconnect();
  }
};

/**
 * Validates every mapping, bundles the functions, and starts one poller per mapping.
 *
 * @throws {MappingConfigError} naming the function and setting when a mapping is invalid
 *   (nothing is left running).
 */
export const startEmulator = async (options: EmulatorOptions): Promise<Emulator> => {
  const log = options.log ?? silentLogger;
  const service = resolveServerlessConfig(options.config);
  for (const warning of service.warnings) log.warn('configuration not emulated', { detail: warning });
  const wanted = options.functions === undefined ? undefined : new Set(options.functions);
  if (wanted !== undefined) {
    for (const key of wanted) {
      if (!service.functions.has(key))
        throw new EsmError(`no function "${key}" in the serverless configuration`);
    }
  }
  const mappings = service.mappings.filter((m) => wanted === undefined || wanted.has(m.functionKey));
  const functions = new Map<string, FunctionDefinition>();
  for (const mapping of mappings) {
    const fn = service.functions.get(mapping.functionKey);
    if (fn !== undefined) functions.set(fn.key, fn);
  }

  const kafka = createKafkaClient(plaintextConnection(options.brokers), {
    clientId: `esm-emulator-${service.service}`,
    log: silentLogger,
  });
  // The first contact with the cluster, under one deadline: a silent broker fails here,
  // naming the brokers, instead of holding the start for kafkajs' retries.
  await withConnectDeadline(assertTopicsExist(kafka, mappings), options.brokers, async () => {});

  const serviceDir = resolve(options.serviceDir);
  const bundleDir = options.bundleDir ?? join(serviceDir, 'dist');
  const started = performance.now();
  const bundles = await bundleHandlers({
    serviceDir,
    outDir: bundleDir,
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

  let producer: Promise<Producer> | undefined;
  const destinationProducer = (): Promise<Producer> => {
    producer ??= (async () => {
      const created = kafka.producer({ allowAutoTopicCreation: false });
      await created.connect();
      return created;
    })();
    return producer;
  };

  const pollers: MappingPoller[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
      await Promise.all([...pools.values()].map((pool) => pool.stop()));
      if (producer !== undefined) await (await producer.catch(() => undefined))?.disconnect();
    })();
    return stopping;
  };

  try {
    for (const mapping of mappings) {
      const fn = functions.get(mapping.functionKey);
      const pool = pools.get(mapping.functionKey);
      if (fn === undefined || pool === undefined) continue;
      const poller = new MappingPoller({
        mapping,
        fn,
        kafka,
        brokers: options.brokers,
        pool,
        log,
        destinationProducer,
        ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
        ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
        ...(options.scalingIntervalMs === undefined ? {} : { scalingIntervalMs: options.scalingIntervalMs }),
        ...(options.scalingDelayMs === undefined ? {} : { scalingDelayMs: options.scalingDelayMs }),
      });
      pollers.push(poller);
      await poller.start();
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    stats: () => ({
      mappings: pollers.map((poller) => poller.stats()),
      functions: Object.fromEntries([...pools].map(([key, pool]) => [key, pool.stats()])),
    }),
    stop,
  };
};
