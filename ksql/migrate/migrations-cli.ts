import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { applyMigrations, currentVersion, ensureMetadata } from './apply.ts';
import { KsqlDbClient } from './ksqldb-client.ts';
import { loadMigrations, resolveVariables } from './migrations.ts';

const DEFAULT_DIR = fileURLToPath(new URL('../../../ksql', import.meta.url));

const configSchema = z.object({
  KSQLDB_URL: z.url({
    message:
      'KSQLDB_URL must be set to the ksqlDB server URL (e.g. https://pksqlc-xxxxx.region.aws.confluent.cloud:443)',
  }),
  KSQLDB_API_KEY: z.string().min(1).optional(),
  KSQLDB_API_SECRET: z.string().min(1).optional(),
  KSQL_MIGRATIONS_TOPIC_PREFIX: z.string().default(''),
});

function usage(command: string): string {
  return `Usage: npm run ksql -- ${command} [--dir ksql] [--var NAME=VALUE ...]${command === 'apply' ? ' [--dry-run]' : ''}

${command === 'apply' ? 'Applies pending migrations to' : 'Shows applied and pending migrations of'} the ksqlDB server at KSQLDB_URL.
Environment: KSQLDB_URL (required), KSQLDB_API_KEY + KSQLDB_API_SECRET (HTTP basic auth, e.g.
Confluent Cloud ksqlDB API key), KSQL_MIGRATIONS_TOPIC_PREFIX (prefix of the metadata topics),
KSQL_VAR_<NAME> (migration variables; --var wins).
`;
}

/** `apply` and `status` against a real ksqlDB. */
export async function runMigrationsCommand(command: 'apply' | 'status', args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: 'string' },
      var: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage(command));
    return 0;
  }
  const overrides: Record<string, string> = {};
  for (const v of values.var ?? []) {
    const at = v.indexOf('=');
    if (at <= 0) throw new Error(`--var expects NAME=VALUE, got ${v}`);
    overrides[v.slice(0, at)] = v.slice(at + 1);
  }
  const migrations = await loadMigrations(
    values.dir ?? DEFAULT_DIR,
    resolveVariables(process.env, overrides),
  );
  if (values['dry-run']) {
    for (const m of migrations)
      process.stdout.write(`-- V${String(m.version).padStart(6, '0')} ${m.name}\n${m.sql}\n`);
    return 0;
  }
  const parsed = configSchema.safeParse(process.env);
  if (!parsed.success) {
    process.stderr.write(
      `${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')}\n`,
    );
    return 2;
  }
  const config = Object.freeze(parsed.data);
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
