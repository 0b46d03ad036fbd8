import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLINK_STATEMENTS_DIR, flinkVariables, plaintextKafkaConnection } from '../../flink/variables.ts';
import { resolveVariables } from '../../ksql/migrate/migrations.ts';
import { createKafkaClient } from '../../services/kafka/client.ts';
import { plaintextConnection } from '../../services/kafka/connection.ts';
import { createTopics } from '../../services/kafka/topics.ts';
import { silentLogger } from '../../tooling/logger.ts';
import { findJava } from '../kafka/install.ts';
import { FlinkStartError } from './errors.ts';
import { FLINK_LIBS_DIR, FLINK_RUNNER_JAR, installFlink } from './install.ts';

export interface StartFlinkOptions {
  brokers: readonly string[];
  /** Overrides of the ksql variables the Flink variables derive from (after KSQL_VAR_*). */
  variables?: Readonly<Record<string, string>>;
  /** Consumer group prefix of the job's sources. */
  groupId: string;
  /** parallelism.default of the job (default: 2, the laptop's cores). */
  parallelism?: number;
  /** Time allowed until the job is submitted (planning is slow on a loaded laptop). */
  startTimeoutMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** The Flink SQL job running on a local MiniCluster in its own JVM. */
export interface LocalFlink {
  readonly pid: number | undefined;
  readonly jobId: string;
  /** Stops the JVM (SIGTERM, SIGKILL after 10 s). */
  stop(): Promise<void>;
}

const log4j = (file: string) =>
  [
    'rootLogger.level = WARN',
    'rootLogger.appenderRef.file.ref = file',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${file}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = %d{ISO8601} %-5p %c - %m%n',
  ].join('\n');

/** Waits for the runner's `flink-job-submitted` line on stdout; rejects if it exits first. */
const submitted = (child: ChildProcess, timeoutMs: number, logFile: string): Promise<string> =>
  new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () =>
        reject(
          new FlinkStartError(`the Flink job was not submitted within ${timeoutMs} ms (log: ${logFile})`),
        ),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-4000);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"event":"flink-job-submitted","jobId":"([^"]+)"/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new FlinkStartError(`the Flink SQL runner exited (code ${code}, signal ${signal}):\n${err}`));
    });
  });

/**
 * Runs the statements of flink/ on Apache Flink: a JVM with Flink's jars from Maven Central
 * (installed on first use, like the Kafka broker's) whose TableEnvironment executes the job on a
 * local MiniCluster. The JVM halts when this process dies (the runner watches its pid) and is
 * killed on stop and on exit, so no Flink outlives the stack, the demo or a test.
 *
 * @throws {MissingPrerequisiteError} when Java 17+ or Maven is missing.
 * @throws {FlinkStartError} when the job is not submitted.
 */
export const startFlink = async (options: StartFlinkOptions): Promise<LocalFlink> => {
  const java = findJava();
  installFlink({ log: (line) => options.log?.(line) });
  const dir = mkdtempSync(join(tmpdir(), 'clickstream-flink-'));
  const logFile = join(dir, 'flink.log');
  writeFileSync(join(dir, 'log4j2.properties'), log4j(logFile));
  const ksqlVars = resolveVariables(process.env, options.variables ?? {});
  const vars = flinkVariables(ksqlVars, {
    kafkaConnection: plaintextKafkaConnection(options.brokers),
    groupId: options.groupId,
  });
  // ksqlDB creates a CREATE TABLE AS sink topic (PARTITIONS); Flink's Kafka sink expects it, and
  // the laptop's broker, like managed clusters, does not auto-create topics.
  const partitions = Number(ksqlVars.OUTPUT_PARTITIONS ?? '6');
  await createTopics(
    createKafkaClient(plaintextConnection([...options.brokers]), {
      clientId: 'flink-topics',
      log: silentLogger,
    }),
    [
      vars.PAGEVIEWS_TOPIC,
      vars.SESSIONS_TOPIC,
      vars.TRENDING_TOPIC,
      vars.BOT_SUSPECTS_TOPIC,
      vars.SESSIONS_ENRICHED_TOPIC,
      vars.SEGMENT_STATS_TOPIC,
    ].map((topic) => ({ topic: topic ?? '', partitions })),
  );
  const args = [
    '-Xmx1g',
    '-XX:+UseSerialGC',
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
    '-cp',
    `${FLINK_LIBS_DIR}/*:${FLINK_RUNNER_JAR}`,
    'dev.clickstream.flink.SqlRunner',
    '--statements',
    FLINK_STATEMENTS_DIR,
    '--parent-pid',
    String(process.pid),
    '--config',
    `parallelism.default=${options.parallelism ?? 2}`,
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}=${value}`]),
  ];
  options.log?.('starting Flink (local MiniCluster)', { logFile });
  const child = spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let jobId: string;
  try {
    jobId = await submitted(child, options.startTimeoutMs ?? 300_000, logFile);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    process.removeListener('exit', killOnExit);
    throw error;
  }
  options.log?.('Flink job submitted', { jobId, pid: child.pid });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  return { pid: child.pid, jobId, stop };
};
