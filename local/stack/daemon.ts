import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { ENDPOINTS_FILE, STACK_DIR, type StackState } from '../../tooling/stack-state.ts';
import { readStackConfig } from './config.ts';
import { startEmbeddedKsql } from './embedded-ksql.ts';
import { startStack } from './stack.ts';

/**
 * The background process behind `npm run stack -- up`: it owns the broker (whose guardian
 * watches this pid) and dynalite (in-process), writes the endpoints file once ready and
 * stops everything on SIGTERM/SIGINT.
 */
const log = (message: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), level: 'INFO', message, ...fields }));

const main = async () => {
  const config = readStackConfig();
  mkdirSync(STACK_DIR, { recursive: true });
  const stack = await startStack({
    kafkaBrokers: config.kafkaBrokers,
    dynamodbEndpoint: config.dynamodbEndpoint,
    wellKnownPorts: true,
    log: (line) => log(line),
  });
  // ksqlDB state: the migrations run on the embedded engine unless a real ksqlDB is configured
  // (then `npm run ksql -- apply` applies them there).
  const ksql =
    process.env.KSQLDB_URL === undefined
      ? await startEmbeddedKsql({
          brokers: stack.kafkaBrokers,
          applicationId: 'clickstream-stack-ksql',
          log: (message, fields) => log(message, fields),
        })
      : undefined;
  log(ksql === undefined ? 'ksql: using KSQLDB_URL' : 'ksql: migrations running on the embedded engine');
  const state: StackState = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    kafkaBrokers: stack.kafkaBrokers,
    dynamodbEndpoint: stack.dynamodbEndpoint,
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
  console.log(
    JSON.stringify({
      time: new Date().toISOString(),
      level: 'ERROR',
      message: 'stack failed to start',
      error: String(error),
    }),
  );
  process.exit(1);
});
