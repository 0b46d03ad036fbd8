import {
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { MappingStatsInput, PipelineStatsInput, PipelineStatsSource } from './pipeline-stats.ts';

/** A deployed Kafka event source mapping whose CloudWatch metrics the dashboard reads. */
export interface DeployedMapping {
  readonly functionName: string;
  /** The mapping's UUID: the `EventSourceMappingUUID` dimension of its metrics. */
  readonly uuid: string;
  readonly topic: string;
  /** Shown on the page; the mapping's UUID when not given. */
  readonly consumerGroup?: string;
}

/** The one call the reader makes: a `CloudWatchClient` fits; unit tests pass a fake. */
export interface MetricDataClient {
  send(
    command: GetMetricDataCommand,
  ): Promise<Pick<GetMetricDataCommandOutput, 'MetricDataResults' | 'NextToken'>>;
}

/** Settings of {@link cloudWatchPipelineStats}. */
export interface CloudWatchPipelineStatsOptions {
  readonly region: string;
  readonly mappings: readonly DeployedMapping[];
  /** DynamoDB tables whose consumed request units are summed (what on-demand bills). */
  readonly tables?: readonly string[];
  /** Counts the dead-letter topic's records; without it the count is unknown. */
  readonly deadLetters?: () => Promise<number | null>;
  /** Where the sums start: the dashboard's start (CloudWatch keeps 1-minute points 15 days). */
  readonly since: number;
  /**
   * How long a read is reused. CloudWatch holds these metrics at one-minute resolution and
   * bills GetMetricData per metric requested, so the page's 2 s refresh must not ask each time.
   */
  readonly reuseMs?: number;
  readonly clock?: () => number;
}

// Lambda's namespace holds the mapping's metrics (EventSourceMappingUUID) and the function's
// (FunctionName): https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
const LAMBDA = 'AWS/Lambda';
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
const DYNAMODB = 'AWS/DynamoDB';
/** GetMetricData takes at most 500 queries a call and pages its answer with NextToken. */
const MAX_QUERIES = 500;
/** Points per metric kept under this: the period grows with the window, in whole minutes. */
const MAX_POINTS = 1440;

type Stat = 'Maximum' | 'Sum';

const query = (
  id: string,
  namespace: string,
  metric: string,
  dimension: { Name: string; Value: string },
  stat: Stat,
  period: number,
): MetricDataQuery => ({
  Id: id,
  MetricStat: {
    Metric: { Namespace: namespace, MetricName: metric, Dimensions: [dimension] },
    Period: period,
    Stat: stat,
  },
  ReturnData: true,
});

/**
 * The queries for a window of `period` seconds: per mapping its offset lag and provisioned
 * pollers (gauges, the latest point wins), the records it delivered (the EventCount group's
 * InvokedEventCount), and its function's invocations, errors and duration (sums); per table
 * its consumed write and read units (sums). Ids are `m<i>_…` and `t<j>_…`.
 */
export const metricQueries = (
  mappings: readonly DeployedMapping[],
  tables: readonly string[],
  period: number,
): MetricDataQuery[] => [
  ...mappings.flatMap((mapping, i) => {
    const esm = { Name: 'EventSourceMappingUUID', Value: mapping.uuid };
    const fn = { Name: 'FunctionName', Value: mapping.functionName };
    return [
      query(`m${i}_lag`, LAMBDA, 'OffsetLag', esm, 'Maximum', period),
      query(`m${i}_pollers`, LAMBDA, 'ProvisionedPollers', esm, 'Maximum', period),
      query(`m${i}_delivered`, LAMBDA, 'InvokedEventCount', esm, 'Sum', period),
      query(`m${i}_invocations`, LAMBDA, 'Invocations', fn, 'Sum', period),
      query(`m${i}_errors`, LAMBDA, 'Errors', fn, 'Sum', period),
      query(`m${i}_duration`, LAMBDA, 'Duration', fn, 'Sum', period),
    ];
  }),
  ...tables.flatMap((table, j) => {
    const dimension = { Name: 'TableName', Value: table };
    return [
      query(`t${j}_write`, DYNAMODB, 'ConsumedWriteCapacityUnits', dimension, 'Sum', period),
      query(`t${j}_read`, DYNAMODB, 'ConsumedReadCapacityUnits', dimension, 'Sum', period),
    ];
  }),
];

/** A result's points, newest first as GetMetricData returns them by default. */
type Points = ReadonlyMap<string, readonly { at: number; value: number }[]>;

const pointsOf = (results: readonly MetricDataResult[]): Points => {
  const points = new Map<string, { at: number; value: number }[]>();
  for (const result of results) {
    if (result.Id === undefined) continue;
    const list = points.get(result.Id) ?? [];
    (result.Values ?? []).forEach((value, k) => {
      list.push({ at: result.Timestamps?.[k]?.getTime() ?? 0, value });
    });
    points.set(result.Id, list);
  }
  for (const list of points.values()) list.sort((a, b) => b.at - a.at);
  return points;
};

const latest = (points: Points, id: string): number | null => points.get(id)?.[0]?.value ?? null;
const total = (points: Points, id: string): number | null => {
  const list = points.get(id);
  return list === undefined || list.length === 0 ? null : list.reduce((sum, point) => sum + point.value, 0);
};

const mappingStats = (mapping: DeployedMapping, i: number, points: Points): MappingStatsInput => {
  const invocations = Math.round(total(points, `m${i}_invocations`) ?? 0);
  const durationMs = total(points, `m${i}_duration`);
  const pollers = latest(points, `m${i}_pollers`);
  const delivered = total(points, `m${i}_delivered`);
  return {
    name: mapping.functionName,
    topic: mapping.topic,
    consumerGroup: mapping.consumerGroup ?? mapping.uuid,
    // No OffsetLag point (the mapping published none yet in the window) reads as 0.
    lag: Math.round(latest(points, `m${i}_lag`) ?? 0),
    // On-demand mappings publish no ProvisionedPollers: their pollers are Lambda's own.
    pollers: pollers === null ? null : Math.round(pollers),
    invocations,
    errors: Math.round(total(points, `m${i}_errors`) ?? 0),
    // Retries, batch sizes and per-partition lag are not CloudWatch metrics.
    retries: null,
    batchSize: null,
    lagByPartition: null,
    meanDurationMs: durationMs === null || invocations === 0 ? null : durationMs / invocations,
    // Billed GB-s need the function's memory; CloudWatch's Duration is not billed duration.
    gbSeconds: null,
    recordsDelivered: delivered === null ? null : Math.round(delivered),
  };
};

/**
 * The panel's model from GetMetricData's results (pure): what {@link cloudWatchPipelineStats}
 * returns for the points it read.
 */
export const statsFromMetricData = (
  options: Pick<CloudWatchPipelineStatsOptions, 'region' | 'mappings' | 'tables' | 'since'>,
  results: readonly MetricDataResult[],
  deadLetters: number | null,
): PipelineStatsInput => {
  const points = pointsOf(results);
  const tables = options.tables ?? [];
  const units = (kind: 'write' | 'read'): number =>
    tables.reduce((sum, _, j) => sum + (total(points, `t${j}_${kind}`) ?? 0), 0);
  return {
    source: `CloudWatch ${options.region}, since ${new Date(options.since).toISOString().slice(0, 16)}Z`,
    mappings: options.mappings.map((mapping, i) => mappingStats(mapping, i, points)),
    deadLetters,
    deadLettersByReason: null,
    dynamoDbUnits: tables.length === 0 ? null : { write: units('write'), read: units('read') },
  };
};

/** Every result of one window, following NextToken, at most {@link MAX_QUERIES} queries a call. */
const readWindow = async (
  client: MetricDataClient,
  queries: readonly MetricDataQuery[],
  start: Date,
  end: Date,
): Promise<MetricDataResult[]> => {
  const results: MetricDataResult[] = [];
  for (let first = 0; first < queries.length; first += MAX_QUERIES) {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries.slice(first, first + MAX_QUERIES),
          StartTime: start,
          EndTime: end,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      );
      results.push(...(page.MetricDataResults ?? []));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
  }
  return results;
};

/**
 * The pipeline's health on AWS, from the deployed mappings' CloudWatch metrics (OffsetLag,
 * ProvisionedPollers, InvokedEventCount: the KafkaMetrics and EventCount groups of the
 * mapping's MetricsConfig, which the ESM emulator publishes under the same names) and their
 * functions' Invocations, Errors and Duration, summed since `since`; DynamoDB's consumed units
 * for the tables. One GetMetricData read is reused for `reuseMs` (default 60 s).
 *
 * @param client built once by the caller (a CloudWatchClient for the region).
 */
export const cloudWatchPipelineStats = (
  client: MetricDataClient,
  options: CloudWatchPipelineStatsOptions,
): PipelineStatsSource => {
  const clock = options.clock ?? Date.now;
  const reuseMs = options.reuseMs ?? 60_000;
  const start = new Date(Math.floor(options.since / 60_000) * 60_000);
  let last: { at: number; read: Promise<PipelineStatsInput> } | undefined;
  const read = async (now: number): Promise<PipelineStatsInput> => {
    const windowSeconds = Math.max(60, (now - start.getTime()) / 1000);
    const period = Math.max(60, Math.ceil(windowSeconds / MAX_POINTS / 60) * 60);
    const queries = metricQueries(options.mappings, options.tables ?? [], period);
    const [results, deadLetters] = await Promise.all([
      readWindow(client, queries, start, new Date(now)),
      options.deadLetters?.() ?? Promise.resolve(null),
    ]);
    return statsFromMetricData(options, results, deadLetters);
  };
  return () => {
    const now = clock();
    if (last === undefined || now - last.at >= reuseMs) {
      const pending = read(now);
      // A failed read is not reused: the next refresh asks again.
      pending.catch(() => {
        if (last?.read === pending) last = undefined;
      });
      last = { at: now, read: pending };
    }
    return last.read;
  };
};
