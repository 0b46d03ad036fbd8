import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tooling/paths.ts';
import { MissingPrerequisiteError } from '../kafka/errors.ts';

const RUNNER_DIR = join(REPO_ROOT, 'flink', 'runner');
/** Where Flink's jars (and the runner's build) are kept between runs (.gitignore'd). */
export const FLINK_CACHE_DIR = join(REPO_ROOT, '.cache', 'flink');
/** Apache Flink, the Kafka connector and their dependencies, copied by Maven. */
export const FLINK_LIBS_DIR = join(FLINK_CACHE_DIR, 'libs');
const BUILD_DIR = join(FLINK_CACHE_DIR, 'build');
/** The SQL runner (flink/runner), built by Maven. */
export const FLINK_RUNNER_JAR = join(BUILD_DIR, 'flink-sql-runner-1.0.0.jar');
const STAMP = join(FLINK_CACHE_DIR, '.sources-sha256');

/** The runner's sources decide whether the cache is current (the pom names every jar). */
const sourcesHash = (): string => {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(entry.name).update(readFileSync(path));
    }
  };
  walk(RUNNER_DIR);
  return hash.digest('hex');
};

/** True when the jars and the runner for the current flink/runner sources are in the cache. */
export const isFlinkInstalled = (): boolean =>
  existsSync(STAMP) && existsSync(FLINK_RUNNER_JAR) && readFileSync(STAMP, 'utf8').trim() === sourcesHash();

const maven = (args: string[], what: string): void => {
  const run = spawnSync('mvn', ['-q', '-B', '-f', join(RUNNER_DIR, 'pom.xml'), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (run.error !== undefined || run.status !== 0) {
    throw new MissingPrerequisiteError(
      `Maven could not ${what} (exit ${run.status ?? run.error?.message}):\n${(run.stdout + run.stderr).slice(-2000)}`,
    );
  }
};

/**
 * Builds the Flink SQL runner (flink/runner) and copies Apache Flink with the Kafka connector
 * from Maven Central into {@link FLINK_LIBS_DIR}, with the machine's Maven, as
 * local/kafka/install.ts does for the broker. A no-op when the cache matches the sources.
 *
 * @throws {MissingPrerequisiteError} when Maven is missing or the build fails.
 */
export const installFlink = (options: { log?: (line: string) => void } = {}): void => {
  if (isFlinkInstalled()) return;
  const log = options.log ?? (() => {});
  const mvn = spawnSync('mvn', ['--version'], { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) {
    throw new MissingPrerequisiteError(
      'Maven (mvn) was not found. It resolves Apache Flink from Maven Central and builds the SQL runner: install it (e.g. apt-get install maven).',
    );
  }
  rmSync(FLINK_CACHE_DIR, { recursive: true, force: true });
  mkdirSync(FLINK_LIBS_DIR, { recursive: true });
  log(`resolving Apache Flink jars from Maven Central into ${FLINK_LIBS_DIR}`);
  maven(
    ['dependency:copy-dependencies', `-DoutputDirectory=${FLINK_LIBS_DIR}`, '-DincludeScope=runtime'],
    'resolve the Flink jars',
  );
  log('building the Flink SQL runner (flink/runner)');
  maven(['package', `-Drunner.buildDirectory=${BUILD_DIR}`], 'build the Flink SQL runner');
  if (!existsSync(FLINK_RUNNER_JAR))
    throw new MissingPrerequisiteError(`Maven finished but ${FLINK_RUNNER_JAR} is missing`);
  writeFileSync(STAMP, `${sourcesHash()}\n`);
  log(`installed ${readdirSync(FLINK_LIBS_DIR).length} Flink jars and the runner`);
};
