import { z } from 'zod';
import { readEnv } from '../../services/commons/env.ts';
import { assignmentsFlag, CliUsageError, parseCliArgs } from '../../tooling/cli-args.ts';
import { applyMigrations, currentVersion, ensureMetadata } from './apply.ts';
import { KsqlDbClient } from './ksqldb-client.ts';
import { loadMigrations, MIGRATIONS_DIR, resolveVariables } from './migrations.ts';

const configSchema = z.object({
  KSQLDB_URL: z.url({
    message:
      'must be set to the ksqlDB server URL (e.g. https://pksqlc-xxxxx.region.aws.confluent.cloud:443)',
  }),
  KSQLDB_API_KEY: z.string().min(1).optional(),
  KSQLDB_API_SECRET: z.string().min(1).optional(),
  KSQL_MIGRATIONS_TOPIC_PREFIX: z.string().default(''),
});

const MigrationFlags = z.object({
  dir: z.string().default(MIGRATIONS_DIR),
  overrides: assignmentsFlag('--var'),
  dryRun: z.boolean(),
});

function usage(command: string): string {
  return `Usage: npm run ksql -- ${command} [--dir ksql] [--var NAME=VALUE ...]${command === 'apply' ? ' [--dry-run]' : ''}

${command === 'apply' ? 'Applies pending migrations to' : 'Shows applied and pending migrations of'} the ksqlDB server at KSQLDB_URL.
Environment: KSQLDB_URL (required), KSQLDB_API_KEY + KSQLDB_API_SECRET (HTTP basic auth, e.g.
Confluent Cloud ksqlDB API key), KSQL_MIGRATIONS_TOPIC_PREFIX (prefix of the metadata topics),
KSQL_VAR_<NAME> (migration variables; --var wins).
`;
}

/**
 * `apply` and `status` against a real ksqlDB.
 *
 * @throws {CliUsageError} naming every bad flag or variable.
 */
export async function runMigrationsCommand(command: 'apply' | 'status', args: string[]): Promise<number> {
  const parsed = parseCliArgs(args, {
    options: {
      dir: { type: 'string' },
      var: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    toInput: (values) => ({ dir: values.dir, overrides: values.var, dryRun: values['dry-run'] === true }),
    schema: MigrationFlags,
  });
  if (parsed.help) {
    process.stdout.write(usage(command));
    return 0;
  }
  const flags = parsed.options;
  const migrations = await loadMigrations(flags.dir, resolveVariables(process.env, flags.overrides));
  if (flags.dryRun) {
    for (const m of migrations)
      process.stdout.write(`-- V${String(m.version).padStart(6, '0')} ${m.name}\n${m.sql}\n`);
    return 0;
  }
  const config = readEnv(
    configSchema,
    process.env,
    (message, options) => new CliUsageError(message, options),
  );
  const client = new KsqlDbClient({
    url: config.KSQLDB_URL,
    apiKey: config.KSQLDB_API_KEY,
    apiSecret: config.KSQLDB_API_SECRET,
  });
  const log = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  if (command === 'apply') {
    const result = await applyMigrations(client, migrations, {
      topicPrefix: config.KSQL_MIGRATIONS_TOPIC_PREFIX,
      log,
    });
    log(`applied ${result.applied.length}, already applied ${result.skipped.length}`);
    return 0;
  }
  await ensureMetadata(client, config.KSQL_MIGRATIONS_TOPIC_PREFIX);
  const current = await currentVersion(client);
  log(`server version: ${current.version}${current.state === undefined ? '' : ` (${current.state})`}`);
  for (const m of migrations) {
    log(
      `V${String(m.version).padStart(6, '0')} ${m.name}: ${m.version <= current.version ? 'applied' : 'pending'}`,
    );
  }
  return 0;
}
