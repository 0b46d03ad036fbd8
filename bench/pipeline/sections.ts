import type { OutgoingRecord } from '../../load-generator/kafka-sender.ts';
import { type Cell, markdownTable } from '../common/markdown-table.ts';
import { median } from '../common/percentile.ts';
import type { BenchContext } from './bench-context.ts';
import type { PipelineBenchConfig } from './config.ts';
import { costPerMillion, describePrices } from './cost.ts';
import { BenchHandler } from './lambda-pipeline.ts';
import { type DrainResult, drainWithLambda, drainWithServer, WriteMode } from './throughput.ts';
import { generateBacklog } from './workload.ts';

/** The deployed mapping's batching (serverless.yml), used by (a) and (b). */
export interface DeployedBatching {
  readonly batchSize: number;
  readonly windowSeconds: number;
  /** The function's memory (MB): what its GB-s are billed at. */
  readonly memoryMb: number;
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
  return { markdown };
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

/** Write-unit targets of the cost work: ours ÷ one PutItem per event, at each rate. */
export const WRU_TARGETS: ReadonlyArray<{ rate: number; ratio: number }> = [
  { rate: 200, ratio: 0.2 },
  { rate: 2000, ratio: 0.1 },
];
/** Total cost per 1M events (Lambda + DynamoDB), ours ÷ naive. */
const COST_TARGET = 0.15;
/** Kafka ESM's largest BatchSize (https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-configure.html). */
const MAX_KAFKA_BATCH_SIZE = 10_000;

/**
 * (b) DynamoDB write units per 10k events, ours against one PutItem per event, at 200 and
 * 2,000 events/s. A steady rate R with the deployed window W on P partitions collects R × W / P
 * events per partition per window; page buckets are per partition, so what a batch costs
 * follows what it holds of each partition. The run simulates the rate in the events' times (so
 * a batch spans the minutes it would) and drains a backlog with BatchSize = min(R × W / P,
 * 10,000): the emulator gives each idle partition its own batch when a backlog waits, so every
 * batch holds what a window collects from one partition. dynalite on this machine cannot absorb the naive
 * handler's 2,000 writes/s in real time; a PutItem costs by item size, not by rate, so the
 * naive run is made once, on the 200 events/s workload.
 */
export const runWriteRequests = async (
  context: BenchContext,
  config: PipelineBenchConfig,
  mapping: DeployedBatching,
): Promise<{ markdown: string }> => {
  const lambdaRun = (
    handler: BenchHandler,
    label: string,
    backlog: readonly OutgoingRecord[],
    batchSize: number,
  ) =>
    drainWithLambda(context, backlog, {
      handler,
      writes: WriteMode.DynamoDb,
      label,
      batchSize,
      windowSeconds: mapping.windowSeconds,
    });
  const usageOf = (run: DrainResult) =>
    costPerMillion({
      events: run.events,
      invocations: run.invocations.length,
      durationsMs: run.invocations.map((report) => report.durationMs),
      memoryMb: mapping.memoryMb,
      writeUnits: run.requests.writeUnits,
      readUnits: run.requests.readUnits,
    });
  const started = Date.now();
  const naiveBacklog = generateBacklog(config.naiveEvents, WRU_TARGETS[0]?.rate ?? 200, started);
  const naive = await lambdaRun(BenchHandler.NaivePutItem, 'b-naive', naiveBacklog, mapping.batchSize);
  const naiveUnits = per10k(naive.requests.writeUnits, naive.events);
  const naiveCost = usageOf(naive);
  context.progress(`(b) naive PutItem: ${naive.requests.writeUnits} write units for ${naive.events} events`);

  const rows: Cell[][] = [];
  const verdicts: string[] = [];
  for (const { rate: eventsPerSecond, ratio: target } of WRU_TARGETS) {
    const batchSize = Math.min(
      MAX_KAFKA_BATCH_SIZE,
      Math.round((eventsPerSecond * mapping.windowSeconds) / context.partitions),
    );
    const backlog = generateBacklog(config.wruEvents, eventsPerSecond, started);
    const run = await lambdaRun(BenchHandler.Aggregate, `b-ours-${eventsPerSecond}`, backlog, batchSize);
    const units = per10k(run.requests.writeUnits, run.events);
    const cost = usageOf(run);
    const unitRatio = units / naiveUnits;
    const costRatio = cost.total / naiveCost.total;
    context.progress(
      `(b) ours at ${eventsPerSecond} events/s: ${run.requests.writeUnits} write units for ${run.events} events ` +
        `in ${run.batches} batches (${unitRatio.toFixed(3)}× naive)`,
    );
    rows.push([
      `${eventsPerSecond.toLocaleString('en-US')} events/s (batches of ≤ ${batchSize.toLocaleString('en-US')})`,
      run.events.toLocaleString('en-US'),
      per10k(run.requests.writeRequests, run.events).toFixed(0),
      units.toFixed(0),
      per10k(run.requests.readUnits, run.events).toFixed(0),
      naiveUnits.toFixed(0),
      `${unitRatio.toFixed(3)}×`,
      (run.invocations.reduce((sum, report) => sum + report.durationMs, 0) / run.events).toFixed(3),
      `$${cost.total.toFixed(3)} vs $${naiveCost.total.toFixed(3)} (${costRatio.toFixed(3)}×)`,
      conservation(run),
    ]);
    verdicts.push(
      `at ${eventsPerSecond} events/s ${unitRatio.toFixed(3)}× the naive write units (target ≤ ${target}×: ` +
        `${unitRatio <= target ? 'met' : 'NOT met'}), total cost ${costRatio.toFixed(3)}× (target ≤ ${COST_TARGET}×: ` +
        `${costRatio <= COST_TARGET ? 'met' : 'NOT met'})`,
    );
  }
  const markdown = [
    `### (b) DynamoDB write units per 10k events, ours vs one PutItem per event (window ${mapping.windowSeconds} s, as deployed)`,
    '',
    markdownTable(
      [
        'Workload',
        'Events',
        'Write requests per 10k',
        'WRU per 10k (ours)',
        'RRU per 10k (ours)',
        'WRU per 10k (naive PutItem)',
        'WRU ratio',
        'Handler ms per event',
        'Cost per 1M events, Lambda + DynamoDB (ratio)',
        'Conserved',
      ],
      rows,
    ),
    '',
    `Units are DynamoDB's own ConsumedCapacity (dynalite sizes items as DynamoDB does: 1 WRU per started KB of the larger of the item before and after). ${describePrices()}`,
    '',
    `Ours: ${verdicts.join('; ')}.`,
  ].join('\n');
  return { markdown };
};
