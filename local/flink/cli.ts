import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createToolLogger } from '../../tooling/logger.ts';
import { installFlink } from './install.ts';
import { packageManagedFlink } from './package.ts';

const HELP = `Usage: npm run flink -- <command>

Commands:
  install   resolve Apache Flink and the Kafka connector from Maven Central into .cache/flink
            and build the SQL runner (flink/runner); what the stack and the tests do on first use
  package   build the application jar for Amazon Managed Service for Apache Flink (Flink
            provided by the service; connector, JSON format, MSK IAM auth and flink/*.sql
            inside) and print its path; upload it to S3 and deploy the MSK stage with
            FLINK_CODE_S3_BUCKET and FLINK_CODE_S3_KEY in .env (docs/deploy.md)

Both need Java 17+ and Maven and end when Maven does (minutes on a first run).
Run the statements locally with: npm run stack -- up --state flink`;

const logger = createToolLogger('flink');

const main = (argv: readonly string[]): number => {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || rest.includes('--help')) {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  if (rest.length > 0 || (command !== 'install' && command !== 'package')) {
    console.error(`unknown command or argument: ${argv.join(' ')}\n\n${HELP}`);
    return 2;
  }
  try {
    if (command === 'install') installFlink({ log: (line) => logger.info(line) });
    else console.log(packageManagedFlink());
    return 0;
  } catch (error) {
    logger.error('flink failed', { error: (error as Error).message });
    return 1;
  }
};

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
