import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolveEndpoints } from '../../tooling/endpoints.ts';
import { createToolLogger } from '../../tooling/logger.ts';
import { ENDPOINTS_FILE, STACK_DIR, type StackState } from '../../tooling/stack-state.ts';
import { startStack } from './stack.ts';
import { STATE_ENGINES, startStateEngine } from './state-engine.ts';

/**
 * The background process behind `npm run stack -- up`: it owns the broker (whose guardian
 * watches this pid) and dynalite (in-process), writes the endpoints file once ready and
 * stops everything on SIGTERM/SIGINT.
 */
const logger = createToolLogger('stack');
const log = (message: string, fields: Record<string, unknown> = {}) => logger.info(message, fields);

const main = async () => {
  // The environment only: this process is the stack the endpoints file describes.
  const endpoints = resolveEndpoints(process.env, undefined);
  mkdirSync(STACK_DIR, { recursive: true });
  const stack = await startStack({
    kafka: endpoints.kafka,
    dynamodbEndpoint: endpoints.dynamodbEndpoint,
    schemaRegistryUrl: endpoints.schemaRegistryUrl,
    wellKnownPorts: true,
    logger,
  });
  // State: the migrations run on the embedded engine unless a real ksqlDB is configured (then
  // `npm run ksql -- apply` applies them there), or the Flink statements on a local Flink
  // (`up --state flink`, passed by cli.ts).
  const engine = STATE_ENGINES.find((e) => e === process.argv[process.argv.indexOf('--state') + 1]) ?? 'ksql';
  const ksql =
    engine === 'flink' || process.env.KSQLDB_URL === undefined
      ? await startStateEngine(engine, {
          brokers: stack.kafkaBrokers,
          applicationId: `clickstream-stack-${engine}`,
          log: (message, fields) => log(message, fields),
        })
      : undefined;
  log(ksql === undefined ? 'ksql: using KSQLDB_URL' : `state: running on ${engine}`);
  const state: StackState = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    kafkaBrokers: stack.kafkaBrokers,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    schemaRegistryUrl: stack.schemaRegistryUrl,
    tables: stack.tables,
    launched: stack.launched,
  };
  writeFileSync(ENDPOINTS_FILE, `${JSON.stringify(state, null, 2)}\n`);
  log('stack is ready', { ...state });
  const shutdown = async (signal: string) => {
    log('stopping the stack', { signal });
    rmSync(ENDPOINTS_FILE, { force: true });
    await ksql?.stop();
    await stack.stop();
    log('stack stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
};

main().catch((error: unknown) => {
  logger.error('stack failed to start', { error });
  process.exit(1);
});
