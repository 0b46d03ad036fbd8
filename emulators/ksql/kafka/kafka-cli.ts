import { z } from 'zod';
import { loadMigrations, MIGRATIONS_DIR, resolveVariables } from '../../../ksql/migrate/migrations.ts';
import { brokerList } from '../../../services/commons/env.ts';
import { createKafkaClient } from '../../../services/kafka/client.ts';
import { plaintextConnection } from '../../../services/kafka/connection.ts';
import { CONNECT_TIMEOUT_MS, withConnectDeadline } from '../../../services/kafka/deadline.ts';
import { assignmentsFlag, CliUsageError, parseCliArgs } from '../../../tooling/cli-args.ts';
import { resolveEndpoints } from '../../../tooling/endpoints.ts';
import { createToolLogger } from '../../../tooling/logger.ts';
import { KsqlEngine } from '../engine.ts';
import { KafkaKsqlRunner } from './kafka-runner.ts';

const logger = createToolLogger('ksql');

const USAGE = `Usage: npm run ksql -- run [--dir ksql] [--var NAME=VALUE ...] [--brokers host:port,...] [--app-id id]

Runs the migrations on the embedded ksql engine over real Kafka topics until interrupted.
Brokers from --brokers or KAFKA_BROKERS. State and input positions are checkpointed to the
compacted topic <app-id>-changelog, so a restart continues without counting anything twice.
An unreachable or silent cluster ends it within ${CONNECT_TIMEOUT_MS / 1000} s (plus start-up),
exit code 1, naming the brokers.
`;

const RunFlags = z.object({
  dir: z.string().default(MIGRATIONS_DIR),
  overrides: assignmentsFlag('--var'),
  brokers: brokerList().optional(),
  applicationId: z.string().min(1, '--app-id must not be empty').default('ksql-embedded'),
});

/**
 * `run`: the embedded engine over Kafka.
 *
 * @throws {CliUsageError} naming every bad flag.
 */
export async function runKafkaCommand(args: string[]): Promise<number> {
  const parsed = parseCliArgs(args, {
    options: {
      dir: { type: 'string' },
      var: { type: 'string', multiple: true },
      brokers: { type: 'string' },
      'app-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    toInput: (values) => ({
      dir: values.dir,
      overrides: values.var,
      brokers: values.brokers,
      applicationId: values['app-id'],
    }),
    schema: RunFlags,
  });
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { dir, overrides, applicationId } = parsed.options;
  // --brokers, else KAFKA_BROKERS; the running stack's broker is not used (its own engine reads it).
  const brokers = parsed.options.brokers ?? resolveEndpoints(process.env, undefined).kafka?.brokers;
  if (brokers === undefined)
    throw new CliUsageError('KAFKA_BROKERS (or --brokers) must name the Kafka bootstrap servers');
  const engine = new KsqlEngine({
    onSkip: (e) =>
      logger.warn('ksql record skipped', {
        queryId: e.queryId,
        topic: e.topic,
        reason: e.reason,
        detail: e.message,
      }),
  });
  for (const m of await loadMigrations(dir, resolveVariables(process.env, overrides)))
    engine.executeScript(m.sql);
  const kafka = createKafkaClient(plaintextConnection(brokers), {
    clientId: 'ksql-embedded',
    log: logger,
  });
  const runner = new KafkaKsqlRunner({
    kafka,
    engine,
    applicationId,
    log: (message, fields) => logger.info(message, fields ?? {}),
  });
  // Bounded start: a silent or unreachable broker ends the command within the deadline.
  await withConnectDeadline(runner.start(), brokers, () => runner.stop());
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await runner.stop();
  return 0;
}
