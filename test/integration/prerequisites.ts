import { installFlink } from '../../local/flink/install.ts';
import { findJava, installKafka } from '../../local/kafka/install.ts';
import { ensurePythonTool } from '../../tooling/python-venv.ts';
import { chromiumExecutable } from './dashboard/chromium.ts';
import { CFN_LINT, CHECKOV } from './deploy/package-helpers.ts';

/** package.json `engines.node`: the oldest Node the project runs and is tested on. */
const MIN_NODE_MAJOR = 22;

/**
 * Installs what the integration tests need beyond `npm ci` (the Kafka jars through Maven,
 * cfn-lint and checkov into .cache/venv, the npm-shipped Chromium inflated) and checks what it cannot
 * install (Node 22+, Java 17, Maven, Python 3). Everything missing is named in one error, thrown before
 * any test runs, so a machine without README's prerequisites gets one message, not red tests.
 */
export const ensurePrerequisites = async (log: (line: string) => void): Promise<void> => {
  const missing: string[] = [];
  const attempt = async (what: string, step: () => unknown): Promise<void> => {
    try {
      await step();
    } catch (error) {
      missing.push(`- ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < MIN_NODE_MAJOR) {
    missing.push(`- Node.js ${MIN_NODE_MAJOR} or newer (package.json engines): this is ${process.version}`);
  }
  if (process.env.KAFKA_BROKERS === undefined) {
    await attempt('Java 17+ and Maven (the local Kafka broker)', () => {
      findJava();
      installKafka({ log });
    });
  }
  // Apache Flink for the differential test (test/integration/flink), from Maven Central too.
  await attempt('Java 17+ and Maven (Apache Flink and the Flink SQL runner)', () => {
    findJava();
    installFlink({ log });
  });
  await attempt('Python 3 (cfn-lint for the generated CloudFormation)', () => {
    log(`cfn-lint ${CFN_LINT.version} in .cache/venv`);
    ensurePythonTool(CFN_LINT);
  });
  // checkov is large (a few minutes on a first install): installed once here, before any test.
  await attempt('Python 3 (checkov for the generated CloudFormation)', () => {
    log(`checkov ${CHECKOV.version} in .cache/venv`);
    ensurePythonTool(CHECKOV);
  });
  await attempt('Chromium from @sparticuz/chromium (the dashboard browser tests; Linux x64 only)', () =>
    chromiumExecutable(),
  );
  if (missing.length > 0) {
    throw new Error(
      `The integration tests cannot start; README.md#prerequisites lists what to install:\n${missing.join('\n')}`,
    );
  }
};
