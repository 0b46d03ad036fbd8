import type { OutgoingRecord } from '../../load-generator/kafka-sender.ts';
import { type Cell, markdownTable } from '../common/markdown-table.ts';
import { percentile } from '../common/percentile.ts';
import {
  type BenchContext,
  createScenarioTable,
  createScenarioTopic,
  deleteScenarioTable,
  deleteScenarioTopic,
  waitForCommitted,
  withProducer,
} from './bench-context.ts';
import type { PipelineBenchConfig } from './config.ts';
import { costPerMillion, describePrices } from './cost.ts';
import { BenchHandler, startLambda } from './lambda-pipeline.ts';
import { requestsOf, waitForReports } from './throughput.ts';
import { produceBacklog, producePaced } from './workload.ts';

/** One point of the sweep. */
export interface SweepPoint {
  readonly batchSize: number;
  readonly windowSeconds: number | undefined;
  /** Backlog drain rate, events/s. */
  readonly throughput: number;
  /** Paced phase: */
  readonly pacedEvents: number;
  readonly invocations: number;
  readonly p50LatencyMs: number;
  readonly p99LatencyMs: number;
  readonly writeRequestsPer10k: number;
  readonly writeUnitsPer10k: number;
  readonly cost: ReturnType<typeof costPerMillion>;
}

const DRAIN_TIMEOUT_MS = 180_000;

/**
 * One mapping configuration, two phases on one warm emulator: (1) a backlog drained as
 * fast as possible — throughput; (2) load-generator records produced at a steady rate —
 * per-event latency from the record's Kafka timestamp (set when it is handed to the
 * producer) to the end of the invocation that wrote it to DynamoDB, and the cost of
 * steady-state invocations (their batches are cut by the window, not by the backlog).
 */
const measurePoint = async (
  context: BenchContext,
  config: PipelineBenchConfig,
  backlog: readonly OutgoingRecord[],
  batchSize: number,
  windowSeconds: number | undefined,
): Promise<SweepPoint> => {
  const label = `c-b${batchSize}-w${windowSeconds ?? 'default'}`.replace('.', '_');
  const scenario = `${context.runId}-${label}`;
  const topic = await createScenarioTopic(context, label, config.sweep.partitions);
  const table = await createScenarioTable(context, label);
  try {
    await withProducer(context, (producer) => produceBacklog(producer, topic, backlog));
    const lambda = await startLambda(context.lambda, {
      scenario,
      handler: BenchHandler.Aggregate,
      topic,
      table,
      batchSize,
      windowSeconds,
    });
    try {
      const { doneAt: drainedAt } = await waitForCommitted(
        label,
        backlog.length,
        lambda.committedRecords,
        lambda.assertHealthy,
        DRAIN_TIMEOUT_MS,
      );
      const throughput = (backlog.length * 1000) / (drainedAt - lambda.startedAt);
      const backlogReports = (await waitForReports(context, scenario, backlog.length)).length;

      const { pacedRate, pacedSeconds } = config.sweep;
      const pacedEvents = await withProducer(context, (producer) =>
        producePaced(producer, topic, pacedRate, pacedSeconds * 1000),
      );
      const expected = backlog.length + pacedEvents;
      await waitForCommitted(
        label,
        expected,
        lambda.committedRecords,
        lambda.assertHealthy,
        DRAIN_TIMEOUT_MS,
      );
      const paced = (await waitForReports(context, scenario, expected)).slice(backlogReports);

      const latencies = paced.flatMap((report) => report.recordTimestamps.map((at) => report.endedAt - at));
      const requests = requestsOf(paced);
      const events = latencies.length;
      const point: SweepPoint = {
        batchSize,
        windowSeconds,
        throughput,
        pacedEvents: events,
        invocations: paced.length,
        p50LatencyMs: percentile(latencies, 50) ?? Number.NaN,
        p99LatencyMs: percentile(latencies, 99) ?? Number.NaN,
        writeRequestsPer10k: (requests.writeRequests * 10_000) / events,
        writeUnitsPer10k: (requests.writeUnits * 10_000) / events,
        cost: costPerMillion({
          events,
          invocations: paced.length,
          durationsMs: paced.map((report) => report.durationMs),
          memoryMb: lambda.memoryMb,
          writeUnits: requests.writeUnits,
          readUnits: requests.readUnits,
        }),
      };
      context.progress(
        `(c) batch ${batchSize}, window ${windowSeconds ?? 0.5} s: ${Math.round(throughput)} events/s drained; ` +
          `paced ${events} events in ${paced.length} invocations, p99 ${Math.round(point.p99LatencyMs)} ms`,
      );
      return point;
    } finally {
      await lambda.emulator.stop();
    }
  } finally {
    await deleteScenarioTopic(context, topic);
    await deleteScenarioTable(context, table);
  }
};

const dollars = (value: number): string => `$${value.toFixed(value < 0.1 ? 4 : 3)}`;

/**
 * (c) BatchSize × MaximumBatchingWindowInSeconds: for each pair, backlog throughput,
 * steady-state p50/p99 event-to-DynamoDB latency, writes and cost per million events.
 */
export const runSweep = async (
  context: BenchContext,
  config: PipelineBenchConfig,
  backlog: readonly OutgoingRecord[],
): Promise<{ markdown: string; points: readonly SweepPoint[] }> => {
  const points: SweepPoint[] = [];
  for (const batchSize of config.sweep.batchSizes) {
    for (const windowSeconds of config.sweep.windowsSeconds) {
      points.push(await measurePoint(context, config, backlog, batchSize, windowSeconds));
    }
  }
  const rows: Cell[][] = points.map((point) => [
    point.batchSize,
    point.windowSeconds === undefined ? '0.5 (default)' : String(point.windowSeconds),
    Math.round(point.throughput).toLocaleString('en-US'),
    (point.pacedEvents / point.invocations).toFixed(0),
    Math.round(point.p50LatencyMs).toLocaleString('en-US'),
    Math.round(point.p99LatencyMs).toLocaleString('en-US'),
    point.writeRequestsPer10k.toFixed(0),
    point.writeUnitsPer10k.toFixed(0),
    point.cost.gbSeconds.toFixed(1),
    dollars(point.cost.lambdaCompute),
    dollars(point.cost.lambdaRequests),
    dollars(point.cost.dynamoDb),
    dollars(point.cost.total),
  ]);
  const markdown = [
    `### (c) Batch size × batching window (${config.sweep.partitions} partition; backlog ${backlog.length.toLocaleString('en-US')} events; steady load ${config.sweep.pacedRate} events/s for ${config.sweep.pacedSeconds} s)`,
    '',
    markdownTable(
      [
        'Batch size',
        'Window (s)',
        'Backlog throughput (events/s)',
        'Steady: mean batch',
        'p50 latency (ms)',
        'p99 latency (ms)',
        'Write requests / 10k',
        'WRU / 10k',
        'GB-s / 1M events',
        'Lambda compute / 1M',
        'Lambda requests / 1M',
        'DynamoDB / 1M',
        'Total / 1M events',
      ],
      rows,
    ),
    '',
    describePrices(),
  ].join('\n');
  return { markdown, points };
};
