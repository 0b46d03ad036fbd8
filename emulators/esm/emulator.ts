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
import type { SaslSettings } from '../../services/kafka/connection.ts';
import { withConnectDeadline } from '../../services/kafka/deadline.ts';
import { isAuthenticationFailure, KafkaAuthenticationError } from '../../services/kafka/errors.ts';
import { silentLogger, type ToolLog } from '../../tooling/logger.ts';
import { EsmError, MappingAuthenticationError, MappingConfigError } from './errors.ts';
import { type FunctionOutput, FunctionPool, type FunctionPoolStats } from './function-pool.ts';
import {
  readMappingCredentials,
  type SecretsManagerClientFor,
  secretsManagerClients,
} from './mapping-credentials.ts';
import { MappingPoller, type MappingStats } from './poller.ts';
import {
  type EventSourceMapping,
  type FunctionDefinition,
  resolveServerlessConfig,
} from './serverless-config.ts';
import { mechanismLabel } from './source-access.ts';

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
  /**
   * The Secrets Manager client of a function's region, for mappings whose SourceAccessConfigurations
   * name a secret (Lambda reads it in the function's region). By default the SDK's, which
   * honours AWS_ENDPOINT_URL_SECRETS_MANAGER.
   */
  readonly secretsManager?: SecretsManagerClientFor;
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

/** The mappings that reach the cluster with the same credentials, over one client. */
interface Cluster {
  readonly kafka: Kafka;
  readonly mappings: EventSourceMapping[];
  /** Producer for `kafka://` on-failure destinations, connected on first use with the mappings' credentials. */
  readonly producer: () => Promise<Producer>;
  disconnect(): Promise<void>;
}

/**
 * One Kafka client per set of credentials: Lambda connects each mapping with its own
 * SourceAccessConfigurations, and writes its on-failure records with them too. The laptop
 * broker's SASL listener is SASL_PLAINTEXT; Lambda itself uses SASL/SCRAM only over TLS
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-cluster-auth.html).
 */
const clustersByCredentials = (
  mappings: readonly EventSourceMapping[],
  credentials: ReadonlyMap<string, SaslSettings>,
  brokers: readonly string[],
  serviceName: string,
): Cluster[] => {
  const byKey = new Map<string, Cluster>();
  for (const mapping of mappings) {
    const sasl = credentials.get(mapping.uuid);
    const key = sasl === undefined ? '' : JSON.stringify(sasl);
    const known = byKey.get(key);
    if (known !== undefined) {
      known.mappings.push(mapping);
      continue;
    }
    const kafka = createKafkaClient(
      { brokers, ssl: false, sasl },
      { clientId: `esm-emulator-${serviceName}`, log: silentLogger },
    );
    let producer: Promise<Producer> | undefined;
    byKey.set(key, {
      kafka,
      mappings: [mapping],
      producer: () => {
        producer ??= (async () => {
          const created = kafka.producer({ allowAutoTopicCreation: false });
          await created.connect();
          return created;
        })();
        return producer;
      },
      disconnect: async () => {
        if (producer !== undefined) await (await producer.catch(() => undefined))?.disconnect();
      },
    });
  }
  return [...byKey.values()];
};

const authenticationError = (
  mapping: EventSourceMapping,
  brokers: readonly string[],
  cause: unknown,
): MappingAuthenticationError => {
  const auth = mapping.authentication;
  return new MappingAuthenticationError(
    mapping.functionKey,
    auth === undefined ? 'SASL' : mechanismLabel(auth),
    auth?.secretId ?? '(none)',
    brokers,
    { cause: cause instanceof Error ? cause : new Error(String(cause)) },
  );
};

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

  // Credentials before the cluster: a missing or malformed secret stops the start, naming it.
  const secretsFor =
    options.secretsManager ?? secretsManagerClients({ localEndpoint: false, hasCredentials: true });
  const credentials = new Map<string, SaslSettings>();
  for (const mapping of mappings) {
    const fn = functions.get(mapping.functionKey);
    if (mapping.authentication === undefined || fn === undefined) continue;
    credentials.set(
      mapping.uuid,
      await readMappingCredentials(secretsFor(fn.region), mapping.functionKey, mapping.authentication),
    );
  }
  const clusters = clustersByCredentials(mappings, credentials, options.brokers, service.service);

  // The first contact with the cluster, under one deadline: a silent broker fails here,
  // naming the brokers, instead of holding the start for kafkajs' retries. Refused
  // credentials stop the mappings that use them, at once.
  const refused = new Map<string, MappingAuthenticationError>();
  for (const cluster of clusters) {
    try {
      await withConnectDeadline(
        assertTopicsExist(cluster.kafka, cluster.mappings),
        options.brokers,
        async () => {},
      );
    } catch (error) {
      if (!(error instanceof KafkaAuthenticationError)) throw error;
      for (const mapping of cluster.mappings) {
        refused.set(mapping.uuid, authenticationError(mapping, options.brokers, error.cause));
      }
    }
  }
  const first = refused.values().next();
  if (!first.done && refused.size === mappings.length) throw first.value;

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

  const pollers: MappingPoller[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
      await Promise.all([...pools.values()].map((pool) => pool.stop()));
      await Promise.all(clusters.map((cluster) => cluster.disconnect()));
    })();
    return stopping;
  };

  try {
    for (const mapping of mappings) {
      const fn = functions.get(mapping.functionKey);
      const pool = pools.get(mapping.functionKey);
      const cluster = clusters.find((candidate) => candidate.mappings.includes(mapping));
      if (fn === undefined || pool === undefined || cluster === undefined) continue;
      const poller = new MappingPoller({
        mapping,
        fn,
        kafka: cluster.kafka,
        brokers: options.brokers,
        pool,
        log,
        destinationProducer: cluster.producer,
        ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
        ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
        ...(options.scalingIntervalMs === undefined ? {} : { scalingIntervalMs: options.scalingIntervalMs }),
        ...(options.scalingDelayMs === undefined ? {} : { scalingDelayMs: options.scalingDelayMs }),
      });
      pollers.push(poller);
      let refusal = refused.get(mapping.uuid);
      if (refusal === undefined) {
        try {
          await poller.start();
        } catch (error) {
          if (!isAuthenticationFailure(error)) throw error;
          refusal = authenticationError(mapping, options.brokers, error);
        }
      }
      if (refusal !== undefined) {
        log.error('mapping stopped: the cluster refused its credentials', {
          mapping: mapping.uuid,
          function: mapping.functionKey,
          lastProcessingResult: refusal.lastProcessingResult,
          error: refusal.message,
        });
        await poller.refuse(refusal);
      }
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
