import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadMigrations, resolveVariables } from '../../../ksql/migrate/migrations.ts';
import { createKafkaClient } from '../../../services/kafka/client.ts';
import { plaintextConnection } from '../../../services/kafka/connection.ts';
import { CONNECT_TIMEOUT_MS, withConnectDeadline } from '../../../services/kafka/deadline.ts';
import { createToolLogger } from '../../../tooling/logger.ts';
import { KsqlEngine } from '../engine.ts';
import { KafkaKsqlRunner } from './kafka-runner.ts';

const logger = createToolLogger('ksql');

const DEFAULT_DIR = fileURLToPath(new URL('../../../ksql', import.meta.url));

const USAGE = `Usage: npm run ksql -- run [--dir ksql] [--var NAME=VALUE ...] [--brokers host:port,...] [--app-id id]

Runs the migrations on the embedded ksql engine over real Kafka topics until interrupted.
Brokers from --brokers or KAFKA_BROKERS. State and input positions are checkpointed to the
compacted topic <app-id>-changelog, so a restart continues without counting anything twice.
An unreachable or silent cluster ends it within ${CONNECT_TIMEOUT_MS / 1000} s (plus start-up),
exit code 1, naming the brokers.
`;

/** `run`: the embedded engine over Kafka. */
export async function runKafkaCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: 'string' },
      var: { type: 'string', multiple: true },
      brokers: { type: 'string' },
      'app-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const brokers = values.brokers ?? process.env.KAFKA_BROKERS;
  if (brokers === undefined || brokers === '') {
    process.stderr.write(`KAFKA_BROKERS (or --brokers) must name the Kafka bootstrap servers.\n\n${USAGE}`);
    return 2;
  }
  const overrides: Record<string, string> = {};
  for (const v of values.var ?? []) {
    const at = v.indexOf('=');
    if (at <= 0) throw new Error(`--var expects NAME=VALUE, got ${v}`);
    overrides[v.slice(0, at)] = v.slice(at + 1);
  }
  const engine = new KsqlEngine({
    onSkip: (e) =>
      logger.warn('ksql record skipped', {
        queryId: e.queryId,
        topic: e.topic,
        reason: e.reason,
        detail: e.message,
      }),
  });
  for (const m of await loadMigrations(values.dir ?? DEFAULT_DIR, resolveVariables(process.env, overrides)))
    engine.executeScript(m.sql);
  const kafka = createKafkaClient(plaintextConnection(brokers.split(',')), {
    clientId: 'ksql-embedded',
    log: logger,
  });
  const runner = new KafkaKsqlRunner({
    kafka,
    engine,
    applicationId: values['app-id'] ?? 'ksql-embedded',
    log: (message, fields) => logger.info(message, fields ?? {}),
  });
  // Bounded start: a silent or unreachable broker ends the command within the deadline.
  await withConnectDeadline(runner.start(), brokers.split(','), () => runner.stop());
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await runner.stop();
  return 0;
}
