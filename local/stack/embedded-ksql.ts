import { KsqlEngine } from '../../emulators/ksql/engine.ts';
import { KafkaKsqlRunner } from '../../emulators/ksql/kafka/kafka-runner.ts';
import { loadMigrations, MIGRATIONS_DIR, resolveVariables } from '../../ksql/migrate/migrations.ts';
import { createKafkaClient } from '../../services/kafka/client.ts';
import { plaintextConnection } from '../../services/kafka/connection.ts';
import { silentLogger } from '../../tooling/logger.ts';

/** The migrations: the single source of truth for ksqlDB and the embedded engine alike. */

export interface EmbeddedKsqlOptions {
  brokers: readonly string[];
  /** Overrides of the migrations' `${VARIABLES}` (after KSQL_VAR_* from the environment). */
  variables?: Readonly<Record<string, string>>;
  /** Names the consumer group and the changelog topic; a restart with the same id resumes. */
  applicationId: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** ksql properties for the engine (e.g. the EMIT FINAL emit interval); ksqlDB's defaults otherwise. */
  properties?: Readonly<Record<string, string>>;
}

/** The embedded engine running the migrations over Kafka. */
export interface EmbeddedKsql {
  /** Records skipped by the processing log (not matching a stream's schema). */
  skipped(): number;
  stop(): Promise<void>;
}

/**
 * Runs every migration in ksql/ on the embedded ksql engine over real Kafka topics — what
 * `npm run stack` and `npm run demo` do when no KSQLDB_URL points at a real ksqlDB.
 */
export const startEmbeddedKsql = async (options: EmbeddedKsqlOptions): Promise<EmbeddedKsql> => {
  let skipped = 0;
  const engine = new KsqlEngine({
    ...(options.properties === undefined ? {} : { properties: options.properties }),
    onSkip: (entry) => {
      skipped += 1;
      options.log?.('ksql record skipped', {
        queryId: entry.queryId,
        topic: entry.topic,
        reason: entry.reason,
      });
    },
  });
  const variables = resolveVariables(process.env, options.variables ?? {});
  for (const migration of await loadMigrations(MIGRATIONS_DIR, variables))
    engine.executeScript(migration.sql);
  const runner = new KafkaKsqlRunner({
    kafka: createKafkaClient(plaintextConnection(options.brokers), {
      clientId: 'ksql-embedded',
      log: silentLogger,
    }),
    engine,
    applicationId: options.applicationId,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  await runner.start();
  return { skipped: () => skipped, stop: () => runner.stop() };
};
