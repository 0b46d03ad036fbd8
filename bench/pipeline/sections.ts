import type { OutgoingRecord } from '../../load-generator/kafka-sender.ts';
import { type Cell, markdownTable } from '../common/markdown-table.ts';
import { median } from '../common/percentile.ts';
import type { BenchContext } from './bench-context.ts';
import type { PipelineBenchConfig } from './config.ts';
import { BenchHandler } from './lambda-pipeline.ts';
import { type DrainResult, drainWithLambda, drainWithServer, WriteMode } from './throughput.ts';

/** The deployed mapping's batching (serverless.yml), used by (a) and (b). */
export interface DeployedBatching {
  readonly batchSize: number;
  readonly windowSeconds: number;
}

/** Targets of issue 3. */
export const TARGETS = {
  [WriteMode.Stubbed]: 0.9,
  [WriteMode.DynamoDb]: 0.8,
  fewerWriteRequests: 20,
} as const;

const rate = (value: number): string => Math.round(value).toLocaleString('en-US');
const ratio = (value: number): string => `${value.toFixed(2)}×`;
const verdict = (value: number, target: number): string => (value >= target ? 'met' : 'NOT met');
const conservation = (run: DrainResult): string =>
  run.counted === undefined ? 'n/a' : run.counted === run.events ? 'yes' : `NO (${run.counted})`;

/** A progress line about one drain: rate, batches, writes and, for Lambda, where the time went. */
export const describeRun = (run: DrainResult): string => {
  const base =
    `${run.label}: ${rate(run.eventsPerSecond)} events/s (${run.events} events in ` +
    `${(run.elapsedMs / 1000).toFixed(2)} s, ${run.batches} batches, ${run.requests.writeRequests} writes)`;
  if (run.invocations.length === 0) {
    return `${base}, steady ${rate(run.steadyEventsPerSecond)} events/s, ${Math.round(run.cpuMicrosPerEvent)} µs CPU/event`;
  }
  const cold = run.invocations.filter((report) => report.coldStart).length;
  const busyMs = run.invocations.reduce((sum, report) => sum + report.durationMs, 0);
  return (
    `${base}, steady ${rate(run.steadyEventsPerSecond)} events/s, ${Math.round(run.cpuMicrosPerEvent)} µs CPU/event; ${cold} cold starts, first invocation ` +
    `${run.firstInvocationAfterMs ?? '?'} ms after the start, handler busy ${Math.round(busyMs)} ms in total`
  );
};

const summarizeConservation = (runs: readonly DrainResult[]): string => {
  const verdicts = new Set(runs.map(conservation));
  return verdicts.size === 1 ? [...verdicts].join('') : [...verdicts].join(', ');
};

/** What (a) measured. */
export interface ThroughputSection {
  readonly markdown: string;
  /** The Lambda runs with real writes, reused by (b). */
  readonly lambdaDynamoDbRuns: readonly DrainResult[];
}

/**
 * (a) Throughput of the serverless path against the server-based service, with writes
 * stubbed and with dynalite. Each round runs every variant; the two paths of a variant run
 * back to back, in alternating order, so that a shared machine weighs on both alike. The
 * ratio is the median of the per-round ratios.
 */
export const runThroughput = async (
  context: BenchContext,
  config: PipelineBenchConfig,
  mapping: DeployedBatching,
  records: readonly OutgoingRecord[],
): Promise<ThroughputSection> => {
  const runs = new Map<WriteMode, { server: DrainResult[]; lambda: DrainResult[] }>();
  for (let round = 1; round <= config.rounds; round += 1) {
    for (const writes of [WriteMode.Stubbed, WriteMode.DynamoDb]) {
      const backlog = records.slice(0, writes === WriteMode.Stubbed ? config.events : config.dynamoDbEvents);
      const pair = runs.get(writes) ?? { server: [], lambda: [] };
      runs.set(writes, pair);
      const server = () =>
        drainWithServer(context, backlog, {
          writes,
          label: `a${round}-server-${writes}`,
          maxBatchSize: mapping.batchSize,
        });
      const lambda = () =>
        drainWithLambda(context, backlog, {
          handler: writes === WriteMode.Stubbed ? BenchHandler.AggregateStubStore : BenchHandler.Aggregate,
          writes,
          label: `a${round}-lambda-${writes}`,
          batchSize: mapping.batchSize,
          windowSeconds: mapping.windowSeconds,
        });
      const order = round % 2 === 1 ? [server, lambda] : [lambda, server];
      for (const run of order) {
        const result = await run();
        (result.invocations.length > 0 ? pair.lambda : pair.server).push(result);
        context.progress(`(a) round ${round} ${describeRun(result)}`);
      }
    }
  }

  const rows: Cell[][] = [];
  for (const [writes, pair] of runs) {
    const ratios = pair.lambda.map(
      (run, i) => run.eventsPerSecond / (pair.server[i]?.eventsPerSecond ?? Number.NaN),
    );
    const middle = median(ratios) ?? Number.NaN;
    const meanBatch = (list: readonly DrainResult[]) =>
      Math.round(
        list.reduce((sum, run) => sum + run.events, 0) / list.reduce((sum, run) => sum + run.batches, 0),
      );
    const steadyRatios = pair.lambda.map(
      (run, i) => run.steadyEventsPerSecond / (pair.server[i]?.steadyEventsPerSecond ?? Number.NaN),
    );
    const cpu = (list: readonly DrainResult[]) =>
      Math.round(median(list.map((run) => run.cpuMicrosPerEvent)) ?? 0);
    rows.push([
      writes === WriteMode.Stubbed ? 'stubbed (no-op store)' : 'DynamoDB (dynalite)',
      (pair.server[0]?.events ?? 0).toLocaleString('en-US'),
      rate(median(pair.server.map((run) => run.eventsPerSecond)) ?? 0),
      rate(median(pair.lambda.map((run) => run.eventsPerSecond)) ?? 0),
      ratio(middle),
      `≥ ${TARGETS[writes]}× ${verdict(middle, TARGETS[writes])}`,
      `${rate(median(pair.server.map((run) => run.steadyEventsPerSecond)) ?? 0)} / ${rate(median(pair.lambda.map((run) => run.steadyEventsPerSecond)) ?? 0)} = ${ratio(median(steadyRatios) ?? Number.NaN)}`,
      `${meanBatch(pair.server)} / ${meanBatch(pair.lambda)}`,
      `${cpu(pair.server)} / ${cpu(pair.lambda)}`,
      summarizeConservation([...pair.server, ...pair.lambda]),
      ratios.map((value) => value.toFixed(2)).join(', '),
    ]);
  }
  const markdown = [
    `### (a) Throughput: serverless path vs server-based kafkajs service (${context.partitions} partitions, batch size ${mapping.batchSize}, ${config.rounds} round(s))`,
    '',
    markdownTable(
      [
        'DynamoDB writes',
        'Events',
        'Server-based service (events/s)',
        'ESM emulator + Lambda (events/s)',
        'Lambda / server',
        'Target',
        'Steady state, after 10 % committed (server / Lambda, events/s)',
        'Mean batch (server / Lambda)',
        'CPU µs per event (server / Lambda)',
        'Counts conserved',
        'Per-round ratios',
      ],
      rows,
    ),
  ].join('\n');
  return { markdown, lambdaDynamoDbRuns: runs.get(WriteMode.DynamoDb)?.lambda ?? [] };
};

/**
 * Drains a small backlog through each path once, unreported: the first consumer group of
 * a fresh broker waits for the group coordinator (__consumer_offsets is created then), and
 * the process's JIT and esbuild warm up, so that no measured run pays for them.
 */
export const warmUp = async (
  context: BenchContext,
  config: PipelineBenchConfig,
  mapping: DeployedBatching,
  backlog: readonly OutgoingRecord[],
): Promise<void> => {
  await drainWithServer(context, backlog, {
    writes: WriteMode.Stubbed,
    label: 'warm-up-server',
    maxBatchSize: mapping.batchSize,
  });
  await drainWithLambda(context, backlog, {
    handler: BenchHandler.AggregateStubStore,
    writes: WriteMode.Stubbed,
    label: 'warm-up-lambda',
    batchSize: mapping.batchSize,
    windowSeconds: mapping.windowSeconds,
  });
  context.progress(`warm-up done (${config.quick ? 'quick' : 'full'} run)`);
};

const per10k = (value: number, events: number): number => (value * 10_000) / events;

/**
 * (b) DynamoDB write requests per 10k events: the aggregation Lambda (from (a)'s runs with
 * dynalite, or one run if (a) was skipped) against a per-event PutItem handler on the
 * same records, batch size and window. Requests are counted by a middleware on each
 * function's document client.
 */
export const runWriteRequests = async (
  context: BenchContext,
  config: PipelineBenchConfig,
  mapping: DeployedBatching,
  backlog: readonly OutgoingRecord[],
  aggregateRuns: readonly DrainResult[],
): Promise<{ markdown: string }> => {
  const lambdaRun = (handler: BenchHandler, label: string, events: number) =>
    drainWithLambda(context, backlog.slice(0, events), {
      handler,
      writes: WriteMode.DynamoDb,
      label,
      batchSize: mapping.batchSize,
      windowSeconds: mapping.windowSeconds,
    });
  const aggregated =
    aggregateRuns.length > 0
      ? aggregateRuns
      : [await lambdaRun(BenchHandler.Aggregate, 'b-aggregate', config.events)];
  const naive = await lambdaRun(BenchHandler.NaivePutItem, 'b-naive', config.naiveEvents);
  context.progress(`(b) naive PutItem: ${naive.requests.writeRequests} writes for ${naive.events} events`);

  const total = (runs: readonly DrainResult[], pick: (run: DrainResult) => number) =>
    runs.reduce((sum, run) => sum + pick(run), 0);
  const aggregateEvents = total(aggregated, (run) => run.events);
  const aggregateWrites = total(aggregated, (run) => run.requests.writeRequests);
  const aggregatePer10k = per10k(aggregateWrites, aggregateEvents);
  const naivePer10k = per10k(naive.requests.writeRequests, naive.events);
  const fewer = naivePer10k / aggregatePer10k;
  const units = (runs: readonly DrainResult[], events: number) =>
    per10k(
      total(runs, (run) => run.requests.writeUnits),
      events,
    ).toFixed(0);
  const rows: Cell[][] = [
    [
      'aggregation (functions/aggregate-events)',
      aggregateEvents.toLocaleString('en-US'),
      aggregateWrites.toLocaleString('en-US'),
      aggregatePer10k.toFixed(1),
      (aggregateWrites / total(aggregated, (run) => run.batches)).toFixed(1),
      units(aggregated, aggregateEvents),
      rate(median(aggregated.map((run) => run.eventsPerSecond)) ?? 0),
    ],
    [
      'naive: one PutItem per event',
      naive.events.toLocaleString('en-US'),
      naive.requests.writeRequests.toLocaleString('en-US'),
      naivePer10k.toFixed(1),
      (naive.requests.writeRequests / naive.batches).toFixed(1),
      units([naive], naive.events),
      rate(naive.eventsPerSecond),
    ],
  ];
  const markdown = [
    `### (b) DynamoDB write requests per 10k events (batch size ${mapping.batchSize}, window ${mapping.windowSeconds} s, as deployed)`,
    '',
    markdownTable(
      [
        'Handler',
        'Events',
        'Write requests',
        'Write requests per 10k events',
        'Write requests per batch',
        'WRU per 10k',
        'Throughput (events/s)',
      ],
      rows,
    ),
    '',
    `The aggregation sends ${fewer.toFixed(1)}× fewer write requests than one PutItem per event ` +
      `(target ≥ ${TARGETS.fewerWriteRequests}×: ${verdict(fewer, TARGETS.fewerWriteRequests)}).`,
  ].join('\n');
  return { markdown };
};
