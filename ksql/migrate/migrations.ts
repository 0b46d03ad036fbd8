import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KsqlMigrationError } from './errors.ts';

/** A migration file `V000001__name.sql` after variable substitution. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly file: string;
  /** Statement text with `${VAR}` substituted. */
  readonly sql: string;
  /** SHA-256 of the file as written (before substitution). */
  readonly checksum: string;
}

/** A migration file or its variables are wrong. */
export class MigrationError extends KsqlMigrationError {
  override readonly code: string = 'MIGRATION';
}

/**
 * Defaults of the variables the migrations use. Short windows for the demo: sessions close
 * while you watch. Override with `--var NAME=VALUE` or `KSQL_VAR_NAME`.
 */
/** The project's migrations: ksql/, beside this folder. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('..', import.meta.url));

export const DEFAULT_VARIABLES: Readonly<Record<string, string>> = {
  EVENTS_TOPIC: 'clickstream-events',
  PAGEVIEWS_TOPIC: 'clickstream-pageviews-per-minute',
  SESSIONS_TOPIC: 'clickstream-user-sessions',
  TRENDING_TOPIC: 'clickstream-trending-products',
  BOT_SUSPECTS_TOPIC: 'clickstream-bot-suspects',
  OUTPUT_PARTITIONS: '6',
  SESSION_GAP: '30 SECONDS',
  SESSION_GRACE: '5 SECONDS',
  SESSION_RETENTION: '1 HOUR',
  LATE_GRACE: '10 SECONDS',
  TRENDING_SIZE: '5 MINUTES',
  TRENDING_ADVANCE: '1 MINUTE',
  BOT_THRESHOLD: '50',
};

const FILE_NAME = /^V(\d{6})__([A-Za-z0-9_]+)\.sql$/;

/** Variables from defaults, then `KSQL_VAR_*` environment entries, then explicit overrides. */
export function resolveVariables(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Readonly<Record<string, string>>,
): Record<string, string> {
  const vars: Record<string, string> = { ...DEFAULT_VARIABLES };
  for (const [k, v] of Object.entries(env))
    if (k.startsWith('KSQL_VAR_') && v !== undefined) vars[k.slice(9)] = v;
  return { ...vars, ...overrides };
}

/** Replaces `${NAME}`; an unknown variable is an error naming the file. */
export function substitute(text: string, vars: Readonly<Record<string, string>>, file: string): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined)
      throw new MigrationError(`${file}: variable \${${name}} is not defined (pass --var ${name}=...)`);
    return v;
  });
}

/** Loads the migrations of a directory in version order. */
export async function loadMigrations(
  dir: string,
  vars: Readonly<Record<string, string>>,
): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const file of files) {
    const m = FILE_NAME.exec(file);
    if (m === null) throw new MigrationError(`${file}: migration files are named V000001__description.sql`);
    const text = await readFile(join(dir, file), 'utf8');
    const version = Number(m[1]);
    if (out.some((x) => x.version === version))
      throw new MigrationError(`${file}: version ${version} is used twice`);
    out.push({
      version,
      name: (m[2] as string).replaceAll('_', ' '),
      file,
      sql: substitute(text, vars, file),
      checksum: createHash('sha256').update(text).digest('hex'),
    });
  }
  return out;
}
