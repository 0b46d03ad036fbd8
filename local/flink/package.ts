import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tooling/paths.ts';
import { MissingPrerequisiteError } from '../kafka/errors.ts';
import { FLINK_CACHE_DIR } from './install.ts';

/** The application jar for Amazon Managed Service for Apache Flink. */
export const MANAGED_FLINK_JAR = join(FLINK_CACHE_DIR, 'managed', 'flink-sql-runner-1.0.0.jar');

/**
 * Builds the runner with `-Pmanaged`: Flink itself provided by the service, the Kafka connector,
 * the JSON format, the MSK IAM login module and the statements of flink/ shaded into one jar
 * (https://docs.aws.amazon.com/managed-flink/latest/java/how-creating-apps.html). Upload it and
 * deploy the MSK stage with FLINK_CODE_S3_BUCKET / FLINK_CODE_S3_KEY (resources/managed-flink.yml).
 *
 * @throws {MissingPrerequisiteError} when Maven is missing or the build fails.
 */
export const packageManagedFlink = (): string => {
  const run = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-Pmanaged',
      '-f',
      join(REPO_ROOT, 'flink', 'runner', 'pom.xml'),
      'package',
      `-Drunner.buildDirectory=${join(FLINK_CACHE_DIR, 'managed')}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (run.error !== undefined || run.status !== 0 || !existsSync(MANAGED_FLINK_JAR)) {
    throw new MissingPrerequisiteError(
      `Maven could not build the Managed Flink jar (exit ${run.status ?? run.error?.message}):\n${(run.stdout + run.stderr).slice(-2000)}`,
    );
  }
  return MANAGED_FLINK_JAR;
};
