import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaClient } from '../../services/kafka/client.ts';
import { plaintextConnection } from '../../services/kafka/connection.ts';
import { silentLogger } from '../../tooling/logger.ts';
import { pollUntil } from '../../tooling/poll.ts';
import { freePort, portOr } from '../../tooling/ports.ts';
import { BrokerStartError, LocalKafkaError } from './errors.ts';
import { findJava, installKafka } from './install.ts';

/** A running single-node Kafka. */
export interface KafkaCluster {
  /** Bootstrap servers, `host:port`. */
  readonly brokers: string[];
  /** The broker's process id, or undefined when the cluster was not launched here. */
  readonly pid: number | undefined;
  /** The broker's log file, when launched here. */
  readonly logFile: string | undefined;
  /** The SASL_PLAINTEXT listener (`host:port`), when started with {@link StartKafkaOptions.sasl}. */
  readonly saslBrokers?: string[];
  /** Stops the broker (SIGTERM, then SIGKILL after a grace period) and removes its data unless kept. */
  stop(): Promise<void>;
}

export interface StartKafkaOptions {
  /** Where the log and metadata go; a fresh temporary directory by default (removed on stop). */
  dataDir?: string;
  /** Prefer this client port (e.g. 9092 for people using kcat); any free port when taken. */
  preferredPort?: number;
  /** JVM max heap in MiB. */
  heapMb?: number;
  /** Time allowed for the broker to answer, in ms. */
  startTimeoutMs?: number;
  /** Progress lines (install, format, start). */
  log?: (line: string) => void;
  /**
   * A second listener, SASL_PLAINTEXT, accepting these users with PLAIN and SCRAM-SHA-512 (as
   * Confluent Cloud and self-managed clusters authenticate); the PLAINTEXT listener stays.
   */
  sasl?: { readonly users: Readonly<Record<string, string>> };
  /** Broker settings added to (or replacing) the laptop defaults, e.g. `connections.max.idle.ms` (tests). */
  extraProperties?: Readonly<Record<string, string>>;
}

/**
 * The cluster id a kept data directory was formatted with: a broker restarted on it must
 * keep it (the storage tool refuses a different one, even with --ignore-formatted).
 */
const existingClusterId = (dir: string): string | undefined => {
  try {
    return /^cluster\.id=(.+)$/m
      .exec(readFileSync(join(dir, 'data', 'meta.properties'), 'utf8'))?.[1]
      ?.trim();
  } catch {
    return undefined;
  }
};

const saslListener = (port: number | undefined): string =>
  port === undefined ? '' : `,SASL_PLAINTEXT://127.0.0.1:${port}`;

/** A JAAS option value: double-quoted, with backslashes and quotes escaped. */
const jaasString = (text: string): string => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/**
 * The SASL listener's settings: PLAIN users in the listener's JAAS configuration, SCRAM-SHA-512
 * credentials in the cluster metadata (written at format time, `--add-scram`: KRaft keeps them
 * there — https://kafka.apache.org/documentation/#security_sasl_scram_credentials).
 */
const saslProperties = (users: Readonly<Record<string, string>>): string[] => {
  const plainUsers = Object.entries(users)
    .map(([name, password]) => `user_${name}=${jaasString(password)}`)
    .join(' ');
  return [
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
  ];
};

/** Broker settings for a laptop: one node, replication factor 1, quick group joins. */
const serverProperties = (opts: {
  clientPort: number;
  controllerPort: number;
  saslPort: number | undefined;
  plainUsers: Readonly<Record<string, string>>;
  logDirs: string;
  extra: Readonly<Record<string, string>>;
}): string =>
  [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${opts.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${opts.clientPort},CONTROLLER://127.0.0.1:${opts.controllerPort}${saslListener(opts.saslPort)}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${opts.clientPort}${saslListener(opts.saslPort)}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    ...(opts.saslPort === undefined ? [] : saslProperties(opts.plainUsers)),
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${opts.logDirs}`,
    // Managed clusters (Confluent Cloud, MSK defaults aside) do not auto-create topics; neither do we.
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // The classic group protocol waits 3 s for more members by default; a laptop has no stragglers.
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=4',
    'log.retention.hours=24',
    // Later keys win in a Java properties file.
    ...Object.entries(opts.extra).map(([key, value]) => `${key}=${value}`),
    '',
  ].join('\n');

const log4jProperties = (logFile: string): string =>
  [
    'status = error',
    'appender.file.type = File',
    'appender.file.name = FILE',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = FILE',
    'logger.kafka.name = kafka',
    'logger.kafka.level = WARN',
    'logger.apache.name = org.apache.kafka',
    'logger.apache.level = WARN',
    '',
  ].join('\n');

/** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (what `kafka-storage random-uuid` prints). */
const clusterId = (): string => {
  // Like Kafka's own Uuid: never starting with '-', which the storage tool would read as a flag.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
};

const tail = (file: string, lines = 30): string => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
};

/**
 * Starts the JVM under a small shell guardian that kills it when `parentPid` dies, so no
 * broker outlives the process that launched it, even after a SIGKILL of that process.
 */
const spawnGuarded = (java: string, args: string[], parentPid: number, logFd: number): ChildProcess => {
  const guardian = [
    '"$@" &',
    'child=$!',
    'trap \'kill -TERM "$child" 2>/dev/null; wait "$child"; exit\' TERM INT',
    `while kill -0 ${parentPid} 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1 & wait $!; done`,
    'kill -TERM "$child" 2>/dev/null; wait "$child"',
  ].join('\n');
  return spawn('/bin/sh', ['-c', guardian, 'kafka-guardian', java, ...args], {
    stdio: ['ignore', logFd, logFd],
  });
};

/** The ports a broker listens on: clients, the KRaft controller, and SASL when asked for. */
interface BrokerPorts {
  readonly client: number;
  readonly controller: number;
  readonly sasl: number | undefined;
}

const allocatePorts = async (options: StartKafkaOptions): Promise<BrokerPorts> => {
  const client = options.preferredPort === undefined ? await freePort() : await portOr(options.preferredPort);
  let controller = await freePort();
  while (controller === client) controller = await freePort();
  let sasl: number | undefined;
  if (options.sasl !== undefined) {
    sasl = await freePort();
    while (sasl === client || sasl === controller) sasl = await freePort();
  }
  return { client, controller, sasl };
};

/** Where a broker's files are: its settings, its log, and the JVM flags that point at them. */
interface BrokerFiles {
  readonly dir: string;
  readonly propsFile: string;
  readonly logFile: string;
  readonly jvm: readonly string[];
}

const writeBrokerFiles = (
  dir: string,
  libs: string,
  ports: BrokerPorts,
  options: StartKafkaOptions,
): BrokerFiles => {
  const propsFile = join(dir, 'server.properties');
  const logFile = join(dir, 'server.log');
  writeFileSync(
    propsFile,
    serverProperties({
      clientPort: ports.client,
      controllerPort: ports.controller,
      saslPort: ports.sasl,
      plainUsers: options.sasl?.users ?? {},
      logDirs: join(dir, 'data'),
      extra: options.extraProperties ?? {},
    }),
  );
  writeFileSync(join(dir, 'log4j2.properties'), log4jProperties(logFile));
  const jvm = [
    `-Xmx${options.heapMb ?? 512}m`,
    '-Xms128m',
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${dir}`,
    '-cp',
    `${libs}/*`,
  ];
  return { dir, propsFile, logFile, jvm };
};

/** Formats KRaft storage (keeping a kept directory's cluster id), with the SCRAM users if any. */
const formatStorage = (java: string, files: BrokerFiles, users: Readonly<Record<string, string>>): void => {
  const format = spawnSync(
    java,
    [
      ...files.jvm,
      'kafka.tools.StorageTool',
      'format',
      '--ignore-formatted',
      '-t',
      existingClusterId(files.dir) ?? clusterId(),
      '-c',
      files.propsFile,
      ...Object.entries(users).flatMap(([name, password]) => [
        '--add-scram',
        `SCRAM-SHA-512=[name=${name},password=${password}]`,
      ]),
    ],
    { encoding: 'utf8' },
  );
  if (format.status !== 0) {
    throw new BrokerStartError(`formatting Kafka storage failed:\n${format.stdout}${format.stderr}`);
  }
};

/** A launched broker's JVM: whether (and how) it exited, and a promise of its exit. */
interface BrokerProcess {
  readonly child: ChildProcess;
  readonly exited: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exit: Promise<void>;
  /** Removes the SIGKILL-on-exit hook (after a clean stop). */
  readonly release: () => void;
}

const spawnBroker = (java: string, files: BrokerFiles): BrokerProcess => {
  const logFd = openSync(join(files.dir, 'stdout.log'), 'a');
  const child = spawnGuarded(java, [...files.jvm, 'kafka.Kafka', files.propsFile], process.pid, logFd);
  closeSync(logFd);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      done();
    }),
  );
  const killOnExit = () => {
    if (exited === undefined) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  return { child, exited: () => exited, exit, release: () => process.removeListener('exit', killOnExit) };
};

/** Waits until the broker answers a metadata request; kills it and says why when it cannot. */
const awaitServing = async (
  brokers: readonly string[],
  broker: BrokerProcess,
  files: BrokerFiles,
  timeoutMs: number,
): Promise<void> => {
  const admin = createKafkaClient(plaintextConnection(brokers), {
    clientId: 'local-launcher',
    log: silentLogger,
    retry: { retries: 0 },
    connectionTimeoutMs: 1000,
  }).admin();
  try {
    await pollUntil(
      async () => {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 ? true : undefined;
      },
      {
        timeoutMs,
        intervalMs: 250,
        what: `Kafka on ${brokers[0]}`,
        abort: () => {
          const exited = broker.exited();
          return exited === undefined
            ? undefined
            : new BrokerStartError(
                `Kafka exited during start-up (code ${exited.code}, signal ${exited.signal}). Log tail:\n${tail(files.logFile)}\n${tail(join(files.dir, 'stdout.log'))}`,
              );
        },
      },
    );
  } catch (error) {
    broker.child.kill('SIGKILL');
    await broker.exit;
    if (error instanceof LocalKafkaError) throw error;
    throw new BrokerStartError(`${(error as Error).message}. Log tail:\n${tail(files.logFile)}`, {
      cause: error,
    });
  } finally {
    await admin.disconnect().catch(() => {});
  }
};

/** Stops the broker once (SIGTERM, SIGKILL after a grace period) and removes a directory it owns. */
const stopper = (broker: BrokerProcess, dir: string, ownsDir: boolean): (() => Promise<void>) => {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      if (broker.exited() === undefined) {
        broker.child.kill('SIGTERM');
        const killer = setTimeout(() => broker.child.kill('SIGKILL'), 15_000);
        await broker.exit;
        clearTimeout(killer);
      }
      broker.release();
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
};

/**
 * Launches Apache Kafka (KRaft, combined broker/controller) on 127.0.0.1: resolves the jars
 * if needed, formats storage, starts the JVM with a small heap and waits until the broker
 * answers a metadata request. The broker is stopped on `stop()` and when this process exits.
 *
 * @throws {MissingPrerequisiteError} when Java 17+ or Maven is missing.
 * @throws {BrokerStartError} when the broker exits or does not answer in time.
 */
export const startKafka = async (options: StartKafkaOptions = {}): Promise<KafkaCluster> => {
  const log = options.log ?? (() => {});
  const java = findJava();
  const libs = installKafka({ log });
  const ownsDir = options.dataDir === undefined;
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'clickstream-kafka-'));
  mkdirSync(dir, { recursive: true });
  const ports = await allocatePorts(options);
  const files = writeBrokerFiles(dir, libs, ports, options);

  log(`formatting KRaft storage in ${dir}`);
  formatStorage(java, files, options.sasl?.users ?? {});

  log(`starting Kafka on 127.0.0.1:${ports.client}`);
  const broker = spawnBroker(java, files);
  const brokers = [`127.0.0.1:${ports.client}`];
  await awaitServing(brokers, broker, files, options.startTimeoutMs ?? 90_000);
  log(`Kafka is up on ${brokers.join(',')} (pid ${broker.child.pid})`);
  return {
    brokers,
    ...(ports.sasl === undefined ? {} : { saslBrokers: [`127.0.0.1:${ports.sasl}`] }),
    pid: broker.child.pid,
    logFile: files.logFile,
    stop: stopper(broker, dir, ownsDir),
  };
};
