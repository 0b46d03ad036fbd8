/**
 * `npm run deploy` / `npm run remove`: deploys the stack to AWS against Confluent Cloud or
 * Amazon MSK, or tears it down. Settings come from the environment and `.env`
 * (.env.example lists them all); `--help` for usage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { createKafkaClient } from '../services/kafka/client.ts';
import { createTopics } from '../services/kafka/topics.ts';
import { CliUsageError, parseCliArgs } from '../tooling/cli-args.ts';
import { DeployError } from './errors.ts';
import { deployConnection } from './kafka-admin.ts';
import { runCommand } from './run-command.ts';
import { type DeploySettings, readDeploySettings, serverlessArgs } from './settings.ts';
import { deployTopics } from './topics.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `Usage: npm run deploy -- [options]      (tsx deploy/cli.ts deploy)
       npm run remove -- [options]      (tsx deploy/cli.ts remove)
       tsx deploy/cli.ts check [options]

Commands:
  deploy  Check every setting, create the missing topics on the cluster, run
          \`sls deploy\`, then apply the ksql migrations when KSQLDB_URL is set.
  remove  Run \`sls remove\` for the stage (topics and their data are kept).
  check   Check the settings and print the serverless command, create nothing.

Options:
  --stage <name>      Stage to deploy (default: STAGE); "confluent" and "msk" also pick
                      the Kafka provider, any other stage needs KAFKA_PROVIDER.
  --region <region>   AWS region (default: AWS_REGION).
  --env-file <path>   Settings file (default: .env in the repository, if present).
  -h, --help          Show this help.

Settings (environment or .env; .env.example documents each):
  all        STAGE, AWS_REGION, KAFKA_PROVIDER, KAFKA_BOOTSTRAP_SERVERS
  confluent  KAFKA_SECRET_ARN, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD
  msk        MSK_CLUSTER_ARN, MSK_SUBNET_IDS, MSK_SECURITY_GROUP_IDS
  optional   TOPIC_PARTITIONS, KSQLDB_URL (+ KSQLDB_API_KEY, KSQLDB_API_SECRET),
             AGGREGATE_/ENRICH_ BATCH_SIZE, BATCH_WINDOW, CONSUMER_GROUP_ID,
             OFFSET_LAG_THRESHOLD, LOG_RETENTION_DAYS
AWS credentials come from the usual AWS variables or profile, as for the AWS CLI.
`;

const log = (message: string, fields: Record<string, unknown> = {}): void => {
  const details = Object.entries(fields)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');
  console.error(`[deploy] ${message}${details ? ` ${details}` : ''}`);
};

/**
 * Copies the non-empty settings of a .env file into the environment, without overriding what
 * is already set. Empty lines of a copied .env.example stay unset: an empty AWS_PROFILE, for
 * one, would make the AWS SDK look for a profile named "".
 */
const loadSettingsFile = (file: string): void => {
  for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (value !== '' && process.env[name] === undefined) process.env[name] = value;
  }
};

const serverless = (args: readonly string[]): Promise<void> =>
  runCommand('npx', ['sls', ...args], {
    cwd: ROOT,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
  });

const kafkaLog = {
  debug: () => {},
  warn: (message: string, ...fields: Record<string, unknown>[]) => log(message, Object.assign({}, ...fields)),
  error: (message: string, ...fields: Record<string, unknown>[]) =>
    log(message, Object.assign({}, ...fields)),
};

const ensureDeployTopics = async (settings: DeploySettings): Promise<void> => {
  const kafka = createKafkaClient(deployConnection(settings), {
    clientId: `clickstream-deploy-${settings.stage}`,
    log: kafkaLog,
  });
  const created = await createTopics(kafka, deployTopics(settings.topicPartitions));
  log('topics ready', { created: created.length > 0 ? created : 'none (all existed)' });
};

const deploy = async (settings: DeploySettings): Promise<void> => {
  log('creating missing topics', { brokers: settings.kafka.bootstrapServers });
  await ensureDeployTopics(settings);
  log('deploying the stack', {
    stage: settings.stage,
    region: settings.region,
    kafka: settings.kafka.provider,
  });
  await serverless(serverlessArgs('deploy', settings));
  if (settings.ksqldbUrl === undefined) {
    log('KSQLDB_URL is not set: ksql migrations not applied (npm run ksql -- apply when it is)');
    return;
  }
  log('applying ksql migrations', { ksqldb: settings.ksqldbUrl });
  await runCommand(
    'npx',
    ['tsx', 'emulators/ksql/cli.ts', 'apply', '--var', `OUTPUT_PARTITIONS=${settings.topicPartitions}`],
    { cwd: ROOT },
  );
  log('deployed', { stage: settings.stage });
};

const DeployFlags = z.object({
  command: z.enum(['deploy', 'remove', 'check'], { error: 'the command must be deploy, remove or check' }),
  extra: z.array(z.string()).max(0, 'one command at a time'),
  stage: z.string().optional(),
  region: z.string().optional(),
  envFile: z.string().optional(),
});

const main = async (argv: readonly string[]): Promise<number> => {
  const parsed = parseCliArgs(argv, {
    allowPositionals: true,
    options: {
      stage: { type: 'string' },
      region: { type: 'string' },
      'env-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    toInput: (values, positionals) => ({
      command: positionals[0],
      extra: positionals.slice(1),
      stage: values.stage,
      region: values.region,
      envFile: values['env-file'],
    }),
    schema: DeployFlags,
  });
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const { command, ...values } = parsed.options;
  const envFile = values.envFile ?? join(ROOT, '.env');
  if (values.envFile !== undefined || existsSync(envFile)) loadSettingsFile(envFile);

  const settings = readDeploySettings(process.env, { stage: values.stage, region: values.region });
  if (command === 'check') {
    log('settings complete', {
      stage: settings.stage,
      region: settings.region,
      kafka: settings.kafka.provider,
    });
    process.stdout.write(`npx sls ${serverlessArgs('deploy', settings).join(' ')}\n`);
    return 0;
  }
  if (command === 'remove') {
    await serverless(serverlessArgs('remove', settings));
    log('removed; the topics and their data are still on the cluster', { stage: settings.stage });
    return 0;
  }
  await deploy(settings);
  return 0;
};

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliUsageError) {
      console.error(`${error.message}\n\n${HELP}`);
      process.exitCode = error.exitCode;
      return;
    }
    console.error(error instanceof DeployError ? error.message : error);
    process.exitCode = 1;
  },
);
