import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../tooling/paths.ts';
import { MissingPrerequisiteError } from './errors.ts';

const POM = fileURLToPath(new URL('pom.xml', import.meta.url));
/** Where the broker's jars are copied; kept between runs (.gitignore'd). */
export const KAFKA_LIBS_DIR = join(REPO_ROOT, '.cache', 'kafka', 'libs');
const STAMP = join(KAFKA_LIBS_DIR, '.pom-sha256');

const USE_EXISTING =
  'Or set KAFKA_BROKERS=host:port[,host:port] to use an existing Kafka cluster; then nothing is launched.';

/**
 * Checks that Java 17 or newer is on the PATH (or under JAVA_HOME) and returns its binary.
 *
 * @throws {MissingPrerequisiteError} naming what to install.
 */
export const findJava = (): string => {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new MissingPrerequisiteError(
      `Java was not found (${java}). The local Kafka broker needs Java 17 or newer: install it (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME. ${USE_EXISTING}`,
    );
  }
  const match = /version "(\d+)/.exec(probe.stderr);
  const major = match?.[1] === undefined ? 0 : Number(match[1]);
  if (major < 17) {
    throw new MissingPrerequisiteError(
      `Java ${major} found (${java}); the local Kafka broker (Apache Kafka 4) needs Java 17 or newer. ${USE_EXISTING}`,
    );
  }
  return java;
};

const pomHash = (): string => createHash('sha256').update(readFileSync(POM)).digest('hex');

/** True when the jars for the current pom.xml are already in {@link KAFKA_LIBS_DIR}. */
export const isKafkaInstalled = (): boolean =>
  existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === pomHash();

/**
 * Resolves Apache Kafka's jars from Maven Central with the machine's Maven (local/kafka/pom.xml)
 * into {@link KAFKA_LIBS_DIR}. A no-op when they are there for the same pom.
 *
 * @throws {MissingPrerequisiteError} when Maven is missing or the resolution fails.
 */
export const installKafka = (options: { log?: (line: string) => void } = {}): string => {
  if (isKafkaInstalled()) return KAFKA_LIBS_DIR;
  const log = options.log ?? (() => {});
  const mvn = spawnSync('mvn', ['--version'], { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) {
    throw new MissingPrerequisiteError(
      `Maven (mvn) was not found. It resolves the Kafka broker's jars from Maven Central: install it (e.g. apt-get install maven). ${USE_EXISTING}`,
    );
  }
  rmSync(KAFKA_LIBS_DIR, { recursive: true, force: true });
  mkdirSync(KAFKA_LIBS_DIR, { recursive: true });
  log(`resolving Apache Kafka jars from Maven Central into ${KAFKA_LIBS_DIR}`);
  const copy = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      POM,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${KAFKA_LIBS_DIR}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (copy.status !== 0) {
    throw new MissingPrerequisiteError(
      `Maven could not resolve the Kafka jars (exit ${copy.status}):\n${(copy.stdout + copy.stderr).slice(-2000)}\n${USE_EXISTING}`,
    );
  }
  const jars = readdirSync(KAFKA_LIBS_DIR).filter((name) => name.endsWith('.jar'));
  if (!jars.some((name) => name.startsWith('kafka_2.13-'))) {
    throw new MissingPrerequisiteError(`Maven finished but no kafka_2.13 jar is in ${KAFKA_LIBS_DIR}`);
  }
  writeFileSync(STAMP, `${pomHash()}\n`);
  log(`installed ${jars.length} jars`);
  return KAFKA_LIBS_DIR;
};

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--help')) {
    console.log(
      "Usage: npm run kafka:install\n\nResolves the Apache Kafka broker jars (local/kafka/pom.xml) from Maven Central\ninto .cache/kafka/libs with the machine's Maven. Needs Java 17+ and Maven. Idempotent.",
    );
    process.exit(0);
  }
  try {
    findJava();
    const dir = installKafka({ log: (line) => console.error(line) });
    console.log(dir);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
