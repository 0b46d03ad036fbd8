/**
 * `npm run deploy` / `npm run remove`: deploys the stack to AWS against Confluent Cloud or
 * Amazon MSK, or tears it down. Settings come from the environment and `.env`
 * (.env.example lists them all); `--help` for usage.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { createKafkaClient } from '../services/kafka/client.ts';
import { createTopics } from '../services/kafka/topics.ts';
import { CliUsageError, parseCliArgs } from '../tooling/cli-args.ts';
import { checkAwsCredentials } from './aws-credentials.ts';
import { DeployError, TopicsError } from './errors.ts';
import { deployConnection } from './kafka-admin.ts';
import { runCommand } from './run-command.ts';
import { type DeploySettings, readDeploySettings, serverlessArgs } from './settings.ts';
import { deployTopics } from './topics.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `Usage: npm run deploy -- [options]      (tsx deploy/cli.ts deploy)
       npm run remove -- [options]      (tsx deploy/cli.ts remove)
       tsx deploy/cli.ts check [options]

Commands:
  deploy  Check every setting and the AWS credentials, create the missing topics on the
          cluster, run \`sls deploy\`, then apply the ksql migrations when KSQLDB_URL is set.
  remove  Check the settings and the AWS credentials, run \`sls remove\` for the stage
          (topics and their data are kept).
  check   Check the settings and print the serverless command, create nothing.

Options:
  --stage <name>        Stage to deploy (default: STAGE); "confluent" and "msk" also pick
                        the Kafka provider, any other stage needs KAFKA_PROVIDER.
  --region <region>     AWS region (default: AWS_REGION).
  --param <name=value>  A serverless parameter (serverless.yml params), repeatable; passed
                        to \`sls\` after the ones the settings give, so it wins over them.
  --env-file <path>     Settings file (default: .env in the repository, if present).
  --dry-run             deploy/remove: everything up to the first step that needs AWS: check
                        the settings, then \`sls package\` the stack with the same arguments
                        (offline, into a temporary directory) and print what would run.
  -h, --help            Show this help.

Exit codes: 0 done, 1 failed (one line says what to fix), 2 invalid command line.

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

// kafkajs' own retry lines would bury the one that matters: the failure is reported once, below.
const quietKafkaLog = { debug: () => {}, warn: () => {}, error: () => {} };

const ensureDeployTopics = async (settings: DeploySettings): Promise<void> => {
  const kafka = createKafkaClient(deployConnection(settings), {
    clientId: `clickstream-deploy-${settings.stage}`,
    log: quietKafkaLog,
  });
  let created: string[];
  try {
    created = await createTopics(kafka, deployTopics(settings.topicPartitions));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TopicsError(
      `could not create the topics on ${settings.kafka.bootstrapServers.join(',')}: ${reason} (check KAFKA_BOOTSTRAP_SERVERS and the cluster's credentials; nothing was deployed)`,
      { cause: error },
    );
  }
  log('topics ready', { created: created.length > 0 ? created : 'none (all existed)' });
};

/** The serverless arguments: the settings' parameters, then the command line's `--param`s. */
const slsArgs = (
  command: 'deploy' | 'remove' | 'package',
  settings: DeploySettings,
  params: readonly string[],
): string[] => [...serverlessArgs(command, settings), ...params.flatMap((param) => ['--param', param])];

/**
 * `sls package` with the deploy's arguments, offline: what a deploy would upload, built and
 * validated (configValidationMode: error) without an AWS account. The framework reads
 * credentials without calling AWS while packaging (test/integration/deploy packages behind a
 * closed proxy), so placeholders stand in when the shell has none.
 */
const dryRun = async (
  command: 'deploy' | 'remove',
  settings: DeploySettings,
  params: readonly string[],
): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), `clickstream-${settings.stage}-package-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  if (env.AWS_ACCESS_KEY_ID === undefined && env.AWS_PROFILE === undefined) {
    env.AWS_ACCESS_KEY_ID = 'DRYRUNPACKAGINGONLY';
    env.AWS_SECRET_ACCESS_KEY = 'dry-run-packaging-only';
  }
  log('dry run: packaging the stack offline', { stage: settings.stage, region: settings.region, dir });
  await runCommand('npx', ['sls', ...slsArgs('package', settings, params), '--package', dir], {
    cwd: ROOT,
    env,
  });
  if (command === 'deploy') {
    log('dry run: would create the missing topics', {
      brokers: settings.kafka.bootstrapServers,
      topics: deployTopics(settings.topicPartitions).map((spec) => spec.topic),
    });
  }
  process.stdout.write(`npx sls ${slsArgs(command, settings, params).join(' ')}\n`);
  log('dry run: nothing was created', { template: join(dir, 'cloudformation-template-update-stack.json') });
};

const deploy = async (settings: DeploySettings, params: readonly string[]): Promise<void> => {
  log('creating missing topics', { brokers: settings.kafka.bootstrapServers });
  await ensureDeployTopics(settings);
  log('deploying the stack', {
    stage: settings.stage,
    region: settings.region,
    kafka: settings.kafka.provider,
  });
  await serverless(slsArgs('deploy', settings, params));
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
  params: z.array(
    z.string().regex(/^[A-Za-z][A-Za-z0-9]*=.*$/, {
      error: (issue) => `--param expects name=value, got "${String(issue.input)}"`,
    }),
  ),
  envFile: z.string().optional(),
  dryRun: z.boolean(),
});

const main = async (argv: readonly string[]): Promise<number> => {
  const parsed = parseCliArgs(argv, {
    allowPositionals: true,
    options: {
      stage: { type: 'string' },
      region: { type: 'string' },
      param: { type: 'string', multiple: true },
      'env-file': { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    toInput: (values, positionals) => ({
      command: positionals[0],
      extra: positionals.slice(1),
      stage: values.stage,
      region: values.region,
      // parseArgs gives a list for a `multiple` flag.
      params: (values.param as unknown as string[] | undefined) ?? [],
      envFile: values['env-file'],
      dryRun: values['dry-run'] === true,
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
  const { params } = values;
  if (command === 'check') {
    log('settings complete', {
      stage: settings.stage,
      region: settings.region,
      kafka: settings.kafka.provider,
    });
    process.stdout.write(`npx sls ${slsArgs('deploy', settings, params).join(' ')}\n`);
    return 0;
  }
  if (values.dryRun) {
    await dryRun(command, settings, params);
    return 0;
  }
  // Before anything on the cluster or in AWS is touched.
  await checkAwsCredentials(settings.region);
  if (command === 'remove') {
    await serverless(slsArgs('remove', settings, params));
    log('removed; the topics and their data are still on the cluster', { stage: settings.stage });
    return 0;
  }
  await deploy(settings, params);
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
    // One line that says what to fix (a settings error adds a line per setting), never a stack.
    const message = error instanceof Error ? error.message : String(error);
    console.error(error instanceof DeployError ? message : `deploy failed: ${message.split('\n')[0]}`);
    process.exitCode = 1;
  },
);
