import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CliUsageError, parseCliArgs } from '../../tooling/cli-args.ts';
import { REPO_ROOT } from '../../tooling/paths.ts';
import { pollUntil } from '../../tooling/poll.ts';
import {
  ENDPOINTS_FILE,
  isAlive,
  readStackState,
  STACK_DIR,
  STACK_LOG,
  type StackState,
} from '../../tooling/stack-state.ts';
import { STATE_ENGINES, type StateEngine } from './state-engine.ts';

const HELP = `Usage: npm run stack -- <up|down|status> [--json] [--state ksql|flink]

Runs the local stack in the background: a real Apache Kafka broker (KRaft, 127.0.0.1:9092
when free) and dynalite as DynamoDB (127.0.0.1:8000 when free), with the pipeline's topics
and tables created.

  up       start it (no-op when running) and print its endpoints
  down     stop it; no java process is left behind
  status   print its endpoints, or say it is not running (exit 3)

Options:
  --json   print the endpoints as JSON
  --state  where the windows run: ksql (the embedded ksql engine on ksql/, default) or
           flink (the Flink SQL of flink/ on a local Apache Flink; first use resolves its
           jars with Maven)
  --help   this text

Environment:
  KAFKA_BROKERS       use this Kafka cluster instead of launching a broker
  DYNAMODB_ENDPOINT   use this DynamoDB endpoint instead of dynalite
Endpoints are written to ${ENDPOINTS_FILE} for the load generator, the ESM emulator and the demo.`;

const print = (state: StackState, json: boolean) => {
  if (json) {
    console.log(JSON.stringify(state));
    return;
  }
  console.log(
    `Kafka brokers      ${state.kafkaBrokers.join(',')}${state.launched.kafka ? '' : ' (external)'}`,
  );
  console.log(`DynamoDB endpoint  ${state.dynamodbEndpoint}${state.launched.dynamodb ? '' : ' (external)'}`);
  if (state.schemaRegistryUrl !== undefined) {
    console.log(
      `Schema registry    ${state.schemaRegistryUrl}${state.launched.schemaRegistry === false ? ' (external)' : ' (emulator)'}`,
    );
  }
  console.log(`Tables             ${state.tables.analytics}, ${state.tables.userProfiles}`);
  console.log(`Stack pid          ${state.pid} (log: ${STACK_LOG})`);
  console.log(`\nTry: kcat -b ${state.kafkaBrokers[0]} -L`);
};

const tailLog = (): string => {
  try {
    return readFileSync(STACK_LOG, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
};

const up = async (json: boolean, state: StateEngine): Promise<number> => {
  const running = readStackState();
  if (running) {
    if (!json) console.error('The stack is already running.');
    print(running, json);
    return 0;
  }
  mkdirSync(STACK_DIR, { recursive: true });
  const out = openSync(STACK_LOG, 'w');
  const daemon = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'local', 'stack', 'daemon.ts'), '--state', state],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', out, out],
      env: process.env,
    },
  );
  closeSync(out);
  daemon.unref();
  const pid = daemon.pid ?? -1;
  if (!json) console.error('Starting the local stack (first run resolves the Kafka jars with Maven)…');
  try {
    const state = await pollUntil(async () => readStackState(), {
      timeoutMs: 180_000,
      intervalMs: 200,
      what: 'the stack to be ready',
      abort: () => (isAlive(pid) ? undefined : new Error(`the stack process exited:\n${tailLog()}`)),
    });
    print(state, json);
    return 0;
  } catch (error) {
    if (isAlive(pid)) process.kill(pid, 'SIGTERM');
    console.error((error as Error).message);
    return 1;
  }
};

const down = async (): Promise<number> => {
  const state = readStackState();
  if (!state) {
    console.error('The stack is not running.');
    return 0;
  }
  process.kill(state.pid, 'SIGTERM');
  try {
    await pollUntil(async () => (isAlive(state.pid) ? undefined : true), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: `the stack (pid ${state.pid}) to stop`,
    });
  } catch {
    process.kill(state.pid, 'SIGKILL');
  }
  console.error('The stack is stopped.');
  return 0;
};

const StackFlags = z.object({
  command: z.enum(['up', 'down', 'status'], { error: 'the command must be up, down or status' }),
  extra: z.array(z.string()).max(0, 'one command at a time'),
  json: z.boolean(),
  state: z.enum(STATE_ENGINES, { error: '--state must be ksql or flink' }),
});

const main = async (): Promise<number> => {
  let parsed: ReturnType<typeof parseCliArgs<typeof StackFlags>>;
  try {
    parsed = parseCliArgs(process.argv.slice(2), {
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        state: { type: 'string', default: 'ksql' },
        help: { type: 'boolean', default: false },
      },
      toInput: (values, positionals) => ({
        command: positionals[0],
        extra: positionals.slice(1),
        json: values.json,
        state: values.state,
      }),
      schema: StackFlags,
    });
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    console.error(`${error.message}\n\n${HELP}`);
    return error.exitCode;
  }
  if (parsed.help) {
    console.log(HELP);
    return 0;
  }
  const { command, json, state } = parsed.options;
  switch (command) {
    case 'up':
      return up(json, state);
    case 'down':
      return down();
    case 'status': {
      const state = readStackState();
      if (!state) {
        console.error('The stack is not running. Start it with: npm run stack -- up');
        return 3;
      }
      print(state, json);
      return 0;
    }
  }
};

process.exitCode = await main();
