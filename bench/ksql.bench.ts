/**
 * `npm run bench:ksql`: windowed aggregation throughput of the embedded ksql engine on the
 * clickstream workload, next to the aggregation Lambda's throughput on the same records in
 * the same run. See the method printed first.
 */
import { cpus, loadavg } from 'node:os';
import { z } from 'zod';
import { KsqlEngine } from '../emulators/ksql/engine.ts';
import { partitionForKey } from '../emulators/ksql/partitioner.ts';
import { DEFAULT_VARIABLES, loadMigrations, MIGRATIONS_DIR } from '../ksql/migrate/migrations.ts';
import { type AggregationDependencies, aggregateBatch } from '../services/aggregation/index.ts';
import { buildKafkaEvent, sourceRecordsOf, toEventRecord } from '../services/kafka/esm-event.ts';
import { type SourceRecord, sourceId, TimestampType } from '../services/kafka/record.ts';
import { parseCliArgs, wholeFlag } from '../tooling/cli-args.ts';
import { createToolLogger } from '../tooling/logger.ts';
import { NoopAggregateStore } from './pipeline/noop-aggregate-store.ts';
import { generateBacklog } from './pipeline/workload.ts';

const USAGE = `Usage: npm run bench:ksql -- [options]

Throughput of the embedded ksql engine (the ksql/ migrations) on load-generator records,
next to the aggregation Lambda's handler work on the same records, in one run.

Options
  --events <n>   records per measured run (default 100000)
  --rounds <n>   measured rounds per variant, alternating; medians reported (default 3)
  --each         also run each migration over the events stream alone (one warm-up, then
                 the same rounds), to see which statement costs what
  -h, --help     show this help`;

/** The stack's clickstream-events partition count: the engine keeps stream time per partition. */
const PARTITIONS = 6;
/** The aggregation mapping's BatchSize as deployed (serverless.yml). */
const LAMBDA_BATCH = 500;
const SIMULATED_RATE = 2000;

interface InputRecord {
  readonly topic: string;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly timestamp: number;
  readonly partition: number;
}

const fail = (message: string): never => {
  process.stderr.write(`bench:ksql: ${message}\n${USAGE}\n`);
  process.exit(2);
};

const positive = (flag: string) => wholeFlag(flag).positive(`${flag} must be a positive integer`);

/** The load generator's records, on the partitions the producer's default partitioner picks. */
const workload = (count: number): InputRecord[] => {
  const topic = String(DEFAULT_VARIABLES.EVENTS_TOPIC);
  return generateBacklog(count, SIMULATED_RATE, Date.UTC(2026, 0, 1)).map((record) => {
    const key = Buffer.from(record.key);
    return {
      topic,
      key,
      value: record.value,
      timestamp: Number(record.timestamp),
      partition: partitionForKey(key, PARTITIONS),
    };
  });
};

const engineWith = async (versions: readonly number[] | undefined): Promise<KsqlEngine> => {
  const engine = new KsqlEngine();
  for (const migration of await loadMigrations(MIGRATIONS_DIR, DEFAULT_VARIABLES)) {
    if (versions === undefined || versions.includes(migration.version)) engine.executeScript(migration.sql);
  }
  return engine;
};

/** Runs the engine over the records; returns seconds of wall time. */
const runEngine = async (versions: readonly number[] | undefined, records: readonly InputRecord[]) => {
  const engine = await engineWith(versions);
  let outputs = 0;
  const start = performance.now();
  for (const record of records) outputs += engine.process(record).length;
  return { seconds: (performance.now() - start) / 1000, outputs };
};

/**
 * The aggregation Lambda's own work on the records: ESM events of LAMBDA_BATCH records (built
 * before the clock starts, as the ESM builds them outside the function), then what the handler
 * does with each — validate and decode the event, aggregate, and hand the store its writes (a
 * no-op store: DynamoDB's time is the pipeline benchmark's business).
 */
const runLambda = async (events: readonly unknown[]) => {
  const store = new NoopAggregateStore();
  const dependencies: AggregationDependencies = {
    store,
    // The workload has no bad records: a dead letter would mean the benchmark measures the wrong thing.
    deadLetters: {
      publish: async (letters) => {
        if (letters.length > 0)
          fail(`${letters.length} records were dead-lettered; the workload has no bad records`);
      },
    },
    logger: createToolLogger('bench', { logLevel: 'ERROR' }),
    metrics: { addMetric: () => undefined },
    retentionDays: 7,
    writeConcurrency: 16,
  };
  const start = performance.now();
  for (const event of events) await aggregateBatch(sourceRecordsOf(event), dependencies);
  return { seconds: (performance.now() - start) / 1000, outputs: store.snapshot().writeRequests };
};

const lambdaEvents = (records: readonly InputRecord[]): unknown[] => {
  const events: unknown[] = [];
  for (let from = 0; from < records.length; from += LAMBDA_BATCH) {
    const byPartition = new Map<number, SourceRecord[]>();
    records.slice(from, from + LAMBDA_BATCH).forEach((record, i) => {
      const list = byPartition.get(record.partition) ?? [];
      list.push({
        topic: record.topic,
        partition: record.partition,
        offset: from + i,
        timestamp: record.timestamp,
        timestampType: TimestampType.CreateTime,
        key: Buffer.from(record.key),
        value: Buffer.from(record.value),
        headers: [],
      });
      byPartition.set(record.partition, list);
    });
    events.push(
      buildKafkaEvent(
        { eventSource: 'SelfManagedKafka', bootstrapServers: '127.0.0.1:9092' },
        [...byPartition].map(([partition, list]) => ({
          key: sourceId(String(DEFAULT_VARIABLES.EVENTS_TOPIC), partition),
          records: list.map(toEventRecord),
        })),
      ),
    );
  }
  return events;
};

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const parsed = (() => {
  try {
    return parseCliArgs(process.argv.slice(2), {
      options: {
        events: { type: 'string' },
        rounds: { type: 'string' },
        each: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      toInput: (values) => ({ events: values.events, rounds: values.rounds, each: values.each === true }),
      schema: z.object({
        events: positive('--events').default(100_000),
        rounds: positive('--rounds').default(3),
        each: z.boolean(),
      }),
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();
if (parsed.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const { events: count, rounds, each } = parsed.options;

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
process.stdout.write(`## Embedded ksql engine vs the aggregation Lambda (npm run bench:ksql)

### Method

1. Workload: ${count.toLocaleString('en-US')} load-generator records (its simulation core, seed 20250601, ${SIMULATED_RATE} simulated events/s, 5 % bots, no bad records), Kafka key = user id, spread over ${PARTITIONS} partitions by key hash; serialised before any clock starts.
2. ksql: the ksql/ migrations with their default variables on a fresh engine, every record through \`engine.process\` (JSON decoding, windows, aggregates, output serialisation; cache off, every update emitted), in one thread. Two variants: all statements (tumbling pageviews, session + EMIT FINAL, hopping trending products, tumbling + HAVING bot suspects, per-type streams), and the pageviews-per-minute statement alone (with the stream it reads).
3. Lambda: the aggregate-events handler's work on the same records in ESM events of ${LAMBDA_BATCH} (its deployed BatchSize), built beforehand: event validation and decoding, \`aggregateBatch\`, writes handed to a no-op store (DynamoDB's share is measured by bench:pipeline), in one thread.
4. Each variant runs once to warm up, then ${rounds} measured rounds, variants alternating; records/s is the median. Kafka I/O is in neither figure: both are the per-record CPU work of one core.
5. Target (issue 4): the engine ≥ 20,000 records/s on 2 cores.

Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, load average ${load()}

`);

const records = workload(count);
const events = lambdaEvents(records);
const variants = [
  { name: 'ksql: all migrations', run: () => runEngine(undefined, records), outputs: 'output records' },
  {
    name: 'ksql: pageviews per minute only',
    run: () => runEngine([1, 2], records),
    outputs: 'output records',
  },
  {
    name: 'aggregation Lambda (handler work, no-op store)',
    run: () => runLambda(events),
    outputs: 'store writes',
  },
] as const;

const rates = new Map<string, number[]>(variants.map((v) => [v.name, []]));
const outputs = new Map<string, string>();
for (const variant of variants) await variant.run();
for (let round = 1; round <= rounds; round++) {
  for (const variant of round % 2 === 0 ? [...variants].reverse() : variants) {
    const result = await variant.run();
    rates.get(variant.name)?.push(count / result.seconds);
    outputs.set(variant.name, `${result.outputs.toLocaleString('en-US')} ${variant.outputs}`);
    process.stderr.write(`round ${round} ${variant.name}: ${Math.round(count / result.seconds)} records/s\n`);
  }
}

const lambdaRate = median(rates.get(variants[2].name) ?? []);
process.stdout.write(
  '| Variant | records/s (median) | per round | output | vs Lambda |\n|---|---:|---|---|---:|\n',
);
for (const variant of variants) {
  const perRound = rates.get(variant.name) ?? [];
  const rate = median(perRound);
  process.stdout.write(
    `| ${variant.name} | ${Math.round(rate).toLocaleString('en-US')} | ${perRound.map((r) => Math.round(r).toLocaleString('en-US')).join(' / ')} | ${outputs.get(variant.name)} | ${(rate / lambdaRate).toFixed(2)}× |\n`,
  );
}
const allRate = median(rates.get(variants[0].name) ?? []);
process.stdout.write(
  `\nTarget ≥ 20,000 records/s for the engine: ${allRate >= 20_000 ? 'met' : 'NOT met'} with all migrations (${Math.round(allRate).toLocaleString('en-US')}), ${median(rates.get(variants[1].name) ?? []) >= 20_000 ? 'met' : 'NOT met'} for pageviews alone.\nAt the end: load average ${load()}\n`,
);

if (each) {
  const migrations = await loadMigrations(MIGRATIONS_DIR, DEFAULT_VARIABLES);
  const stream = migrations[0];
  process.stdout.write(
    `\n### Each statement alone (with ${stream?.name ?? 'the stream'}, over the same records)\n\n| Migration | records/s (median) | per round | output rows |\n|---|---:|---|---:|\n`,
  );
  for (const migration of migrations.slice(1)) {
    const versions = [stream?.version ?? 1, migration.version];
    const first = await runEngine(versions, records);
    if (first.outputs === 0 && !/FROM\s+clickstream\b/i.test(migration.sql)) continue;
    const perRound: number[] = [];
    let outputsSeen = 0;
    for (let round = 1; round <= rounds; round++) {
      const result = await runEngine(versions, records);
      perRound.push(count / result.seconds);
      outputsSeen = result.outputs;
    }
    process.stdout.write(
      `| ${migration.name} | ${Math.round(median(perRound)).toLocaleString('en-US')} | ${perRound.map((r) => Math.round(r).toLocaleString('en-US')).join(' / ')} | ${outputsSeen.toLocaleString('en-US')} |\n`,
    );
  }
}
