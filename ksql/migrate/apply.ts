import type { KsqlDbClient } from './ksqldb-client.ts';
import type { Migration } from './migrations.ts';

/** Names of the metadata stream and table, as ksqlDB's own migrations tool names them. */
export const MIGRATION_EVENTS = 'MIGRATION_EVENTS';
export const MIGRATION_VERSIONS = 'MIGRATION_SCHEMA_VERSIONS';

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Creates the metadata stream and table if missing (idempotent). */
export async function ensureMetadata(client: KsqlDbClient, topicPrefix: string): Promise<void> {
  await client.ksql(
    `CREATE STREAM IF NOT EXISTS ${MIGRATION_EVENTS} (version_key STRING KEY, version STRING, name STRING, state STRING, checksum STRING, started_on STRING, completed_on STRING, previous STRING, error_reason STRING) WITH (KAFKA_TOPIC=${quote(`${topicPrefix}ksql_${MIGRATION_EVENTS}`)}, VALUE_FORMAT='JSON', PARTITIONS=1);`,
  );
  await client.ksql(
    `CREATE TABLE IF NOT EXISTS ${MIGRATION_VERSIONS} WITH (KAFKA_TOPIC=${quote(`${topicPrefix}ksql_${MIGRATION_VERSIONS}`)}) AS SELECT version_key, LATEST_BY_OFFSET(version) AS version, LATEST_BY_OFFSET(name) AS name, LATEST_BY_OFFSET(state) AS state, LATEST_BY_OFFSET(checksum) AS checksum, LATEST_BY_OFFSET(started_on) AS started_on, LATEST_BY_OFFSET(completed_on) AS completed_on, LATEST_BY_OFFSET(previous) AS previous, LATEST_BY_OFFSET(error_reason) AS error_reason FROM ${MIGRATION_EVENTS} GROUP BY version_key;`,
  );
}

/** The version recorded as CURRENT (0 when none) and its state. */
export async function currentVersion(
  client: KsqlDbClient,
): Promise<{ version: number; state: string | undefined }> {
  const rows = await client.pullQuery(
    `SELECT VERSION, STATE FROM ${MIGRATION_VERSIONS} WHERE VERSION_KEY = 'CURRENT';`,
  );
  const row = rows[0];
  if (row === undefined) return { version: 0, state: undefined };
  return { version: Number(row[0] ?? 0), state: typeof row[1] === 'string' ? row[1] : undefined };
}

async function record(
  client: KsqlDbClient,
  key: string,
  m: Migration,
  state: string,
  previous: number,
  started: string,
  error?: string,
): Promise<void> {
  const completed = state === 'MIGRATED' ? new Date().toISOString() : '';
  await client.ksql(
    `INSERT INTO ${MIGRATION_EVENTS} (version_key, version, name, state, checksum, started_on, completed_on, previous, error_reason) VALUES (${[
      key,
      String(m.version),
      m.name,
      state,
      m.checksum,
      started,
      completed,
      String(previous),
      error ?? '',
    ]
      .map(quote)
      .join(', ')});`,
  );
}

/** What one apply run did. */
export interface ApplyResult {
  readonly applied: readonly number[];
  readonly skipped: readonly number[];
}

/**
 * Applies pending migrations one at a time, recording each in MIGRATION_EVENTS. A migration the
 * server rejects is recorded as ERROR and its error is rethrown verbatim; later ones are not run.
 */
export async function applyMigrations(
  client: KsqlDbClient,
  migrations: readonly Migration[],
  options: { topicPrefix: string; log: (line: string) => void },
): Promise<ApplyResult> {
  await ensureMetadata(client, options.topicPrefix);
  const current = await currentVersion(client);
  const applied: number[] = [];
  const skipped = migrations.filter((m) => m.version <= current.version).map((m) => m.version);
  let previous = current.version;
  for (const m of migrations) {
    if (m.version <= current.version) continue;
    const started = new Date().toISOString();
    options.log(`applying V${String(m.version).padStart(6, '0')} ${m.name}`);
    try {
      await client.ksql(m.sql);
    } catch (err) {
      await record(client, String(m.version), m, 'ERROR', previous, started, (err as Error).message).catch(
        () => undefined,
      );
      throw err;
    }
    await record(client, String(m.version), m, 'MIGRATED', previous, started);
    await record(client, 'CURRENT', m, 'MIGRATED', previous, started);
    applied.push(m.version);
    previous = m.version;
  }
  if (applied.length === 0) options.log(`nothing to apply: server is at version ${current.version}`);
  return { applied, skipped };
}
