import type { GetMetricDataCommand, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import {
  cloudWatchPipelineStats,
  type DeployedMapping,
  type MetricDataClient,
  metricQueries,
  statsFromMetricData,
} from '../../../dashboard/cloudwatch-pipeline-stats.ts';
import { PipelineStatsSchema } from '../../../dashboard/pipeline-stats.ts';
import { METRIC_NAMES } from '../../../emulators/esm/mapping-metrics.ts';

const AGGREGATE: DeployedMapping = {
  functionName: 'clickstream-dev-aggregate-events',
  uuid: '6f0a7c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b',
  topic: 'clickstream-events',
};
const ENRICH: DeployedMapping = {
  functionName: 'clickstream-dev-enrich-events',
  uuid: '0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e',
  topic: 'clickstream-events',
  consumerGroup: 'enrich',
};
const SINCE = Date.UTC(2026, 11, 8, 2, 0, 30);
const t = (minute: number): Date => new Date(Date.UTC(2026, 11, 8, 2, minute));

/** A result as GetMetricData returns it: newest point first. */
const result = (id: string, points: readonly [number, number][]): MetricDataResult => ({
  Id: id,
  StatusCode: 'Complete',
  Timestamps: points.map(([minute]) => t(minute)),
  Values: points.map(([, value]) => value),
});

/** A CloudWatch stand-in: answers every query it knows from `results`, in pages of `pageSize`. */
class FakeCloudWatch implements MetricDataClient {
  readonly commands: GetMetricDataCommand[] = [];
  constructor(
    private readonly results: readonly MetricDataResult[],
    private readonly pageSize = 100,
  ) {}

  async send(command: GetMetricDataCommand) {
    this.commands.push(command);
    const ids = new Set((command.input.MetricDataQueries ?? []).map((q) => q.Id));
    const known = this.results.filter((r) => ids.has(r.Id));
    const from = Number(command.input.NextToken ?? 0);
    const page = known.slice(from, from + this.pageSize);
    const next = from + this.pageSize;
    return { MetricDataResults: page, ...(next < known.length ? { NextToken: String(next) } : {}) };
  }
}

describe('metricQueries', () => {
  it('asks for the mapping metrics the ESM emulator publishes, by the mapping UUID, and the function metrics by name', () => {
    const queries = metricQueries([AGGREGATE], ['analytics'], 60);

    const byId = Object.fromEntries(queries.map((q) => [q.Id, q.MetricStat]));
    expect(byId.m0_lag?.Metric).toEqual({
      Namespace: 'AWS/Lambda',
      MetricName: 'OffsetLag',
      Dimensions: [{ Name: 'EventSourceMappingUUID', Value: AGGREGATE.uuid }],
    });
    expect(byId.m0_lag?.Stat).toBe('Maximum');
    expect(byId.m0_invocations?.Metric?.Dimensions).toEqual([
      { Name: 'FunctionName', Value: AGGREGATE.functionName },
    ]);
    expect(byId.t0_write?.Metric).toEqual({
      Namespace: 'AWS/DynamoDB',
      MetricName: 'ConsumedWriteCapacityUnits',
      Dimensions: [{ Name: 'TableName', Value: 'analytics' }],
    });
    // Every mapping metric read is one the emulator publishes under that name.
    const published = new Set(Object.values(METRIC_NAMES).flat());
    const mappingMetrics = queries
      .filter((q) => q.MetricStat?.Metric?.Dimensions?.[0]?.Name === 'EventSourceMappingUUID')
      .map((q) => q.MetricStat?.Metric?.MetricName);
    for (const name of mappingMetrics) expect(published).toContain(name);
    expect(queries.every((q) => /^[a-z][a-zA-Z0-9_]*$/.test(q.Id ?? ''))).toBe(true);
  });
});

describe('statsFromMetricData', () => {
  const options = { region: 'eu-west-1', mappings: [AGGREGATE, ENRICH], tables: ['a', 'p'], since: SINCE };

  it('maps gauges to their newest point and counters to their sums', () => {
    const stats = statsFromMetricData(
      options,
      [
        result('m0_lag', [
          [5, 120],
          [4, 900],
        ]),
        result('m0_pollers', [
          [5, 3],
          [4, 2],
        ]),
        result('m0_delivered', [
          [5, 6000],
          [4, 5000],
        ]),
        result('m0_invocations', [
          [5, 30],
          [4, 20],
        ]),
        result('m0_errors', [[4, 2]]),
        result('m0_duration', [
          [5, 900],
          [4, 600],
        ]),
        result('t0_write', [[5, 40]]),
        result('t1_write', [[5, 2]]),
        result('t0_read', [[5, 8]]),
      ],
      7,
    );

    expect(PipelineStatsSchema.parse(stats)).toMatchObject({ deadLetters: 7 });
    expect(stats.source).toBe('CloudWatch eu-west-1, since 2026-12-08T02:00Z');
    expect(stats.mappings[0]).toEqual({
      name: AGGREGATE.functionName,
      topic: 'clickstream-events',
      consumerGroup: AGGREGATE.uuid,
      lag: 120,
      pollers: 3,
      invocations: 50,
      errors: 2,
      retries: null,
      batchSize: null,
      lagByPartition: null,
      meanDurationMs: 30,
      gbSeconds: null,
      recordsDelivered: 11_000,
    });
    expect(stats.dynamoDbUnits).toEqual({ write: 42, read: 8 });
  });

  it('tells what CloudWatch did not publish from a zero: on-demand pollers and an EventCount group not enabled are null', () => {
    const stats = statsFromMetricData(options, [result('m1_invocations', [])], null);

    expect(stats.mappings[1]).toMatchObject({
      consumerGroup: 'enrich',
      lag: 0,
      pollers: null,
      invocations: 0,
      meanDurationMs: null,
      recordsDelivered: null,
    });
    expect(stats.deadLetters).toBeNull();
  });

  it('orders points by time whatever order they come in', () => {
    const stats = statsFromMetricData(
      { ...options, mappings: [AGGREGATE] },
      [
        result('m0_lag', [
          [3, 10],
          [7, 55],
          [5, 20],
        ]),
      ],
      null,
    );
    expect(stats.mappings[0]?.lag).toBe(55);
  });
});

describe('cloudWatchPipelineStats', () => {
  it('reads every page of one window since the start minute, and reuses it within a minute', async () => {
    let now = SINCE + 10 * 60_000;
    const cloudWatch = new FakeCloudWatch(
      [
        result('m0_lag', [[9, 4]]),
        result('m0_invocations', [[9, 3]]),
        result('m1_invocations', [[9, 5]]),
        result('t0_write', [[9, 1]]),
      ],
      2,
    );
    const source = cloudWatchPipelineStats(cloudWatch, {
      region: 'eu-west-1',
      mappings: [AGGREGATE, ENRICH],
      tables: ['a'],
      since: SINCE,
      clock: () => now,
      deadLetters: async () => 3,
    });

    const first = await source();
    expect(cloudWatch.commands).toHaveLength(2);
    expect(cloudWatch.commands[0]?.input.StartTime).toEqual(t(0));
    expect(cloudWatch.commands[0]?.input.EndTime).toEqual(new Date(now));
    expect(cloudWatch.commands[1]?.input.NextToken).toBe('2');
    expect(first.mappings.map((m) => [m.lag, m.invocations])).toEqual([
      [4, 3],
      [0, 5],
    ]);
    expect(first.deadLetters).toBe(3);

    now += 30_000;
    await source();
    expect(cloudWatch.commands).toHaveLength(2);
    now += 30_000;
    await source();
    expect(cloudWatch.commands).toHaveLength(4);
  });

  it('asks again after a failed read instead of reusing the failure', async () => {
    let fail = true;
    const client: MetricDataClient = {
      send: async () => {
        if (fail) throw new Error('AccessDenied: cloudwatch:GetMetricData');
        return { MetricDataResults: [] };
      },
    };
    const source = cloudWatchPipelineStats(client, {
      region: 'eu-west-1',
      mappings: [AGGREGATE],
      since: SINCE,
      clock: () => SINCE,
    });

    await expect(source()).rejects.toThrow('AccessDenied');
    fail = false;
    await expect(source()).resolves.toMatchObject({ mappings: [{ lag: 0 }] });
  });

  it('widens the period on long windows to stay under 1,440 points a metric', async () => {
    const cloudWatch = new FakeCloudWatch([]);
    const source = cloudWatchPipelineStats(cloudWatch, {
      region: 'eu-west-1',
      mappings: [AGGREGATE],
      since: SINCE,
      clock: () => t(0).getTime() + 3 * 86_400_000,
    });
    await source();
    const period = cloudWatch.commands[0]?.input.MetricDataQueries?.[0]?.MetricStat?.Period ?? 0;
    expect(period % 60).toBe(0);
    expect((3 * 86_400) / period).toBeLessThanOrEqual(1440);
    expect(period).toBe(180);
  });
});
