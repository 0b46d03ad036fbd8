/**
 * `npx tsx docs/workshop/tools/peek.ts` — the workshop's window on the pipeline: records of a
 * topic, the dead letters by reason, a conservation check (events in = events counted + dead
 * letters), a consumer group's lag, and a summary of the aggregation function's logs.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { localDynamoClient } from '../../../local/stack/stack.ts';
import { AnalyticsReader, minuteOf } from '../../../services/aggregation/index.ts';
import { createKafkaClient } from '../../../services/kafka/client.ts';
import { plaintextConnection } from '../../../services/kafka/connection.ts';
import { readTopic } from '../../../services/kafka/topic-reader.ts';
import { parseCliArgs, wholeFlag } from '../../../tooling/cli-args.ts';
import { createToolLogger } from '../../../tooling/logger.ts';
import { readStackState } from '../../../tooling/stack-state.ts';
import { type PeekConfig, readPeekConfig } from './config.ts';
import { UsageError, WorkshopToolError } from './errors.ts';
import {
  conservation,
  type EventsTally,
  poisonTotal,
  summarizeBatchLogs,
  summarizePollerLogs,
  tallyDeadLetters,
  tallyEvents,
  tallySessions,
} from './pipeline-report.ts';
import { waitForQuietTopic, waitForZeroLag } from './waits.ts';

const USAGE = `Usage: npx tsx docs/workshop/tools/peek.ts <command> [options]

Looks into the local pipeline for the workshop (docs/workshop/). Reads the running local
stack's endpoints (npm run stack -- up), or KAFKA_BROKERS, DYNAMODB_ENDPOINT, ANALYTICS_TABLE.

Commands:
  records <topic> [--limit n] [--full]
                                  the first n records of a topic, partition by partition
                                  (default 3): partition, offset, key, value (cut at 150
                                  characters unless --full), headers
  dead-letters [--topic t]        the dead-letter topic (default clickstream-dlq) by reason,
                                  with one example each and the distinct source records
  counts [--check] [--json]       the conservation check: valid events on clickstream-events
                                  = events counted in DynamoDB, and poison records = distinct
                                  dead letters. --check exits 1 when they differ
  sessions [--check]              the enrichment loop: closed sessions (clickstream-user-sessions)
                                  = distinct enriched sessions (clickstream-sessions-enriched),
                                  and the abandoned carts. --check exits 1 when they differ
  wait <group> [--topic t] [--timeout s]
                                  waits until consumer group <group> has committed every
                                  record of the topic (default clickstream-events, 90 s)
  settle <topic> [--quiet s] [--timeout s]
                                  waits until the topic has records and none arrived for
                                  --quiet seconds (default 3; timeout default 90 s)
  batches <log file> [--json]     adds up the "batch aggregated" lines aggregate-events wrote
                                  (invocations, batch sizes, DynamoDB requests, redeliveries)
  pollers <log file> [--json]     the event poller changes the ESM emulator logged ("event
                                  pollers scaled"): when, how many, why; then the peak

Options:
  -h, --help   this text

Exit codes: 0 done, 1 failed (or --check found a difference), 2 invalid command line.`;

const EVENTS_TOPIC = 'clickstream-events';
const DEAD_LETTER_TOPIC = 'clickstream-dlq';
const SESSIONS_TOPIC = 'clickstream-user-sessions';
const ENRICHED_TOPIC = 'clickstream-sessions-enriched';
const CART_ABANDONED_TOPIC = 'clickstream-cart-abandoned';

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

const kafkaOf = (config: PeekConfig): Kafka =>
  createKafkaClient(plaintextConnection(config.kafkaBrokers), {
    clientId: 'workshop-peek',
    log: createToolLogger('workshop-peek', { logLevel: 'ERROR' }),
  });

const positive = (flag: string) => wholeFlag(flag).positive(`${flag} expects a positive whole number`);

const COMMANDS = [
  'records',
  'dead-letters',
  'counts',
  'sessions',
  'settle',
  'wait',
  'batches',
  'pollers',
] as const;

/** What each command needs after its name. */
const ARGUMENT: Partial<Record<(typeof COMMANDS)[number], string>> = {
  batches: 'batches needs the log file to read',
  pollers: 'pollers needs the log file to read',
  records: 'records needs a topic',
  settle: 'settle needs a topic',
  wait: 'wait needs a consumer group id',
};

const PeekFlags = z
  .object({
    command: z.enum(COMMANDS, {
      error: (issue) =>
        issue.input === undefined ? 'missing command' : `unknown command "${String(issue.input)}"`,
    }),
    argument: z.string().optional(),
    limit: positive('--limit').default(3),
    topic: z.string().optional(),
    timeoutSeconds: positive('--timeout').default(90),
    quietSeconds: positive('--quiet').default(3),
    check: z.boolean(),
    full: z.boolean(),
    json: z.boolean(),
  })
  .superRefine((flags, context) => {
    const needs = ARGUMENT[flags.command];
    if (needs !== undefined && flags.argument === undefined)
      context.addIssue({ code: 'custom', message: needs });
  });

const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** A key as text, bytes outside printable ASCII as `\xNN` (windowed keys end in binary bounds). */
const showKey = (key: Buffer | null): string => {
  if (key === null) return '(null)';
  let text = '';
  for (const byte of key) {
    text +=
      byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return text;
};

const printRecords = async (
  config: PeekConfig,
  topic: string,
  limit: number,
  full: boolean,
): Promise<void> => {
  const records = (await readTopic(kafkaOf(config), topic, { perPartitionLimit: limit })).slice(0, limit);
  if (records.length === 0) out(`${topic} is empty`);
  for (const record of records) {
    const headers = Object.entries(record.headers)
      .map(([name, value]) => `${name}=${cut(value, 60)}`)
      .join(' ');
    out(`${topic} p${record.partition} #${record.offset}  key=${showKey(record.key)}`);
    const value = record.value?.toString() ?? '(null)';
    out(`  value   ${full ? value : cut(value, 150)}`);
    if (headers !== '') out(`  headers ${headers}`);
  }
};

const printDeadLetters = async (config: PeekConfig, topic: string): Promise<void> => {
  const tally = tallyDeadLetters(await readTopic(kafkaOf(config), topic));
  out(`${topic}: ${tally.letters} dead letters from ${tally.distinctSources} distinct source records`);
  for (const [reason, { count, example }] of Object.entries(tally.byReason).sort()) {
    out(`  ${reason.padEnd(16)} ${String(count).padStart(6)}   e.g. ${cut(example, 90)}`);
  }
};

/** Σ of the per-minute funnel `events` over the minutes the valid events fall in. */
const countedInDynamo = async (config: PeekConfig, events: EventsTally): Promise<number> => {
  if (config.dynamodbEndpoint === undefined || config.analyticsTable === undefined) {
    throw new WorkshopToolError(
      'no analytics table to read: start the local stack (npm run stack -- up) or set DYNAMODB_ENDPOINT and ANALYTICS_TABLE',
    );
  }
  if (events.eventTimes === undefined) return 0;
  const raw = localDynamoClient(config.dynamodbEndpoint);
  const reader = new AnalyticsReader(DynamoDBDocumentClient.from(raw), config.analyticsTable);
  try {
    const funnels = await reader.funnels(minuteOf(events.eventTimes.first), minuteOf(events.eventTimes.last));
    return funnels.reduce((sum, funnel) => sum + funnel.events, 0);
  } finally {
    raw.destroy();
  }
};

const printCounts = async (config: PeekConfig, json: boolean, check: boolean): Promise<number> => {
  const kafka = kafkaOf(config);
  const events = tallyEvents((await readTopic(kafka, EVENTS_TOPIC)).map((record) => record.value));
  const deadLetters = tallyDeadLetters(await readTopic(kafka, DEAD_LETTER_TOPIC));
  const counted = await countedInDynamo(config, events);
  const books = conservation(events, counted, deadLetters);
  if (json) {
    out(JSON.stringify({ records: events.records, ...books, poisonByReason: events.poison }));
  } else {
    const reasons = Object.entries(events.poison)
      .sort()
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ');
    out(
      `${EVENTS_TOPIC}  ${events.records} records: ${events.valid} valid events, ${poisonTotal(events)} poison${reasons === '' ? '' : ` (${reasons})`}`,
    );
    out(`DynamoDB            ${counted} events counted (${config.analyticsTable})`);
    out(
      `${DEAD_LETTER_TOPIC}     ${deadLetters.letters} dead letters from ${deadLetters.distinctSources} distinct source records`,
    );
    out(
      books.conserved
        ? 'conserved: valid events = events counted, poison records = distinct dead letters'
        : `NOT conserved: ${books.valid} valid vs ${books.counted} counted, ${books.poison} poison vs ${books.deadLetters} dead letters`,
    );
  }
  return check && !books.conserved ? 1 : 0;
};

const printSessions = async (config: PeekConfig, check: boolean): Promise<number> => {
  const kafka = kafkaOf(config);
  const values = async (topic: string) => (await readTopic(kafka, topic)).map((record) => record.value);
  const tally = tallySessions(
    await values(SESSIONS_TOPIC),
    await values(ENRICHED_TOPIC),
    (await readTopic(kafka, CART_ABANDONED_TOPIC)).length,
  );
  out(`${SESSIONS_TOPIC}      ${tally.closed} closed sessions`);
  out(`${ENRICHED_TOPIC}  ${tally.enriched} enriched sessions (${tally.duplicates} redelivered duplicates)`);
  out(`${CART_ABANDONED_TOPIC}     ${tally.cartAbandoned} abandoned carts`);
  out(
    tally.conserved
      ? 'conserved: every closed session was enriched exactly once (by eventId)'
      : `NOT conserved: ${tally.closed} closed sessions vs ${tally.enriched} enriched`,
  );
  return check && !tally.conserved ? 1 : 0;
};

const readLog = (file: string): string[] => {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch (error) {
    throw new WorkshopToolError(`cannot read the log file ${file}`, { cause: error });
  }
};

const printBatches = (file: string, json: boolean): void => {
  const summary = summarizeBatchLogs(readLog(file));
  if (json) {
    out(JSON.stringify(summary));
    return;
  }
  out(
    `invocations ${summary.succeeded + summary.failed} (${summary.succeeded} succeeded, ${summary.failed} failed)`,
  );
  out(`records ${summary.records}, batch size mean ${summary.meanBatch.toFixed(1)} max ${summary.maxBatch}`);
  out(
    `DynamoDB write requests ${summary.writeRequests} (${summary.writeUnits} write units), ` +
      `read requests ${summary.readRequests} (${summary.readUnits} read units)`,
  );
  out(
    `redelivered items already applied ${summary.itemsAlreadyApplied}, watermark conflicts ${summary.watermarkConflicts}`,
  );
};

const printPollers = (file: string, json: boolean): void => {
  const summary = summarizePollerLogs(readLog(file));
  if (json) {
    out(JSON.stringify(summary));
    return;
  }
  for (const step of summary.steps) {
    const change =
      step.pending === undefined ? `${step.pollers}` : `${step.pollers} → ${step.pending} pending`;
    out(`+${String(step.atSeconds).padStart(4)} s  ${step.function}  pollers ${change}  (${step.reason})`);
  }
  out(
    `pollers: peak ${summary.peak}, last ${summary.last}${summary.pending === undefined ? '' : ` → ${summary.pending}`}; ` +
      `${summary.scaledOut ? 'scaled out' : 'never scaled out'}, ${summary.scaledIn ? 'scaled in' : 'never scaled in'}`,
  );
};

const main = async (argv: readonly string[]): Promise<number> => {
  const parsed = parseCliArgs(argv, {
    allowPositionals: true,
    options: {
      limit: { type: 'string' },
      topic: { type: 'string' },
      timeout: { type: 'string' },
      quiet: { type: 'string' },
      check: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    toInput: (values, positionals) => ({
      command: positionals[0],
      argument: positionals[1],
      limit: values.limit,
      topic: values.topic,
      timeoutSeconds: values.timeout,
      quietSeconds: values.quiet,
      check: values.check,
      full: values.full,
      json: values.json,
    }),
    schema: PeekFlags,
    makeError: (message, options) => new UsageError(message, options),
  });
  if (parsed.help) {
    out(USAGE);
    return 0;
  }
  const values = parsed.options;
  const { command } = values;
  const argument = values.argument ?? '';
  if (command === 'batches') {
    printBatches(argument, values.json);
    return 0;
  }
  if (command === 'pollers') {
    printPollers(argument, values.json);
    return 0;
  }
  const config = readPeekConfig(process.env, readStackState());
  switch (command) {
    case 'records':
      await printRecords(config, argument, values.limit, values.full);
      return 0;
    case 'dead-letters':
      await printDeadLetters(config, values.topic ?? DEAD_LETTER_TOPIC);
      return 0;
    case 'counts':
      return printCounts(config, values.json, values.check);
    case 'sessions':
      return printSessions(config, values.check);
    case 'settle': {
      const { quietSeconds, timeoutSeconds } = values;
      const admin = kafkaOf(config).admin();
      await admin.connect();
      try {
        const settled = await waitForQuietTopic(admin, argument, quietSeconds * 1000, timeoutSeconds * 1000);
        out(`${settled.topic} has ${settled.records} records, none new for ${quietSeconds} s`);
      } finally {
        await admin.disconnect();
      }
      return 0;
    }
    case 'wait': {
      const topic = values.topic ?? EVENTS_TOPIC;
      const { timeoutSeconds } = values;
      const started = Date.now();
      const admin = kafkaOf(config).admin();
      await admin.connect();
      try {
        const lag = await waitForZeroLag(admin, argument, topic, timeoutSeconds * 1000);
        out(
          `${argument} has committed all ${lag.records} records of ${topic} (lag 0) after ${((Date.now() - started) / 1000).toFixed(0)} s`,
        );
      } finally {
        await admin.disconnect();
      }
      return 0;
    }
  }
};

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`peek: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
