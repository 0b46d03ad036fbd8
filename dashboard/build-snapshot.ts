import {
  type Funnel as AggregatedFunnel,
  type AnalyticsReader,
  centsOfFloat,
  decimalOfCents,
  type Minute,
  minuteOf,
  minutesBetween,
  sumCents,
} from '../services/aggregation/index.ts';
import type { SegmentStats, SegmentStatsReader } from '../services/segment-stats/segment-stats-reader.ts';
import { PRICES } from '../tooling/aws-prices.ts';
import { PipelineStatsSchema, type PipelineStatsSource } from './pipeline-stats.ts';
import {
  type ConversionRow,
  type Cost,
  type Enrichment,
  type Freshness,
  FUNNEL_STEPS,
  type Funnel,
  type FunnelStep,
  type FunnelStepName,
  type MinuteActivity,
  type PipelineHealth,
  type PipelineSample,
  type Snapshot,
  type TopPages,
} from './snapshot.ts';

/** The read side of the aggregation the snapshot needs (services/aggregation's AnalyticsReader). */
export type AnalyticsQueries = Pick<AnalyticsReader, 'funnels' | 'topPages' | 'uniqueSessions'>;

/** Where a snapshot's figures come from. */
export interface SnapshotSources {
  readonly analytics: AnalyticsQueries;
  readonly segmentStats: SegmentStatsReader;
  /** The pipeline's health; without it the page says why health is unavailable. */
  readonly pipelineStats?: PipelineStatsSource | undefined;
  /** The pipeline's figures since the dashboard started (the server's recorder). */
  readonly pipelineHistory?: (() => PipelineSample[]) | undefined;
  /** Shown on the page: where the data is read from. */
  readonly source: string;
  readonly analyticsTable: string;
}

/** How much the snapshot covers. */
export interface SnapshotSettings {
  /** Minutes of activity in the events-per-minute chart, the current one included. */
  readonly rangeMinutes: number;
  /** Minutes the funnel adds up, the current one included. */
  readonly funnelMinutes: number;
  /** Minutes with a distinct-session count (one Query each). */
  readonly sessionMinutes: number;
  /** Pages listed per window. */
  readonly topPages: number;
  /** How long the pipeline's health may take before it is shown as unavailable. */
  readonly pipelineTimeoutMs: number;
  /** The shop's currency (ISO 4217): the load generator's prices are US dollars. */
  readonly currency: string;
}

export const DEFAULT_SNAPSHOT_SETTINGS: SnapshotSettings = {
  rangeMinutes: 30,
  funnelMinutes: 15,
  sessionMinutes: 10,
  topPages: 8,
  pipelineTimeoutMs: 1500,
  currency: 'USD',
};

export const NO_PIPELINE_STATS =
  'no pipeline statistics: run the dashboard inside npm run demo, or give it the Kafka brokers (KAFKA_BROKERS)';

const MINUTE_MS = 60_000;

const minutesBefore = (current: Minute, minutes: number): Minute =>
  minuteOf(Date.parse(current) - minutes * MINUTE_MS);

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

const reasonOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.name}: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
};

/** The counters of a minute the funnel adds up. */
export type FunnelCounts = Pick<AggregatedFunnel, FunnelStepName | 'revenueCents'>;

/** The funnel over the given minutes, with step-to-step and overall conversion rates. */
export const funnelOf = (minutes: readonly FunnelCounts[], from: Minute, to: Minute): Funnel => {
  const totals = FUNNEL_STEPS.map((step) => minutes.reduce((sum, minute) => sum + minute[step], 0));
  const first = totals[0] ?? 0;
  const steps = FUNNEL_STEPS.map(
    (step, index): FunnelStep => ({
      step,
      count: totals[index] ?? 0,
      fromPrevious: index === 0 ? null : ratio(totals[index] ?? 0, totals[index - 1] ?? 0),
      fromFirst: ratio(totals[index] ?? 0, first),
    }),
  );
  return { from, to, steps, revenue: decimalOfCents(sumCents(minutes.map((minute) => minute.revenueCents))) };
};

/** Sums segment-statistics rows by one dimension, largest group first. */
export const conversionBy = (
  rows: readonly SegmentStats[],
  dimension: 'segment' | 'device',
): ConversionRow[] => {
  const groups = new Map<
    string,
    { sessions: number; converted: number; revenue: number; abandonedCarts: number }
  >();
  for (const row of rows) {
    const group = groups.get(row[dimension]) ?? { sessions: 0, converted: 0, revenue: 0, abandonedCarts: 0 };
    group.sessions += row.sessions;
    group.converted += row.converted;
    group.revenue += row.revenue;
    group.abandonedCarts += row.abandonedCarts;
    groups.set(row[dimension], group);
  }
  return [...groups.entries()]
    .map(([group, totals]) => ({
      group,
      ...totals,
      revenue: decimalOfCents(centsOfFloat(totals.revenue)),
      rate: ratio(totals.converted, totals.sessions),
    }))
    .sort((a, b) => b.sessions - a.sessions || a.group.localeCompare(b.group));
};

const readEnrichment = async (reader: SegmentStatsReader, from: Minute, to: Minute): Promise<Enrichment> => {
  let rows: SegmentStats[];
  try {
    rows = await reader.segmentStats(from, to);
  } catch (error) {
    return { available: false, reason: reasonOf(error) };
  }
  if (rows.length === 0) {
    return {
      available: false,
      reason: 'no enriched sessions in this range yet: the enrichment loop writes them as sessions close',
    };
  }
  const sum = (pick: (row: SegmentStats) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return {
    available: true,
    from,
    to,
    closedSessions: sum((row) => row.sessions),
    converted: sum((row) => row.converted),
    abandonedCarts: sum((row) => row.abandonedCarts),
    abandonedCartValue: decimalOfCents(centsOfFloat(sum((row) => row.abandonedCartValue))),
    bySegment: conversionBy(rows, 'segment'),
    byDevice: conversionBy(rows, 'device'),
  };
};

const readPipeline = async (
  source: PipelineStatsSource | undefined,
  timeoutMs: number,
): Promise<PipelineHealth> => {
  if (source === undefined) return { available: false, reason: NO_PIPELINE_STATS };
  let timer: NodeJS.Timeout | undefined;
  // A broker that does not answer must not hold up the rest of the page.
  const timeout = new Promise<PipelineHealth>((resolveTimeout) => {
    timer = setTimeout(
      () =>
        resolveTimeout({ available: false, reason: `no answer from the pipeline within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const read = (async (): Promise<PipelineHealth> => {
    try {
      return { available: true, ...PipelineStatsSchema.parse(await source()) };
    } catch (error) {
      return { available: false, reason: reasonOf(error) };
    }
  })();
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

const topPagesOf = async (analytics: AnalyticsQueries, minute: Minute, limit: number): Promise<TopPages> => ({
  minute,
  pages: (await analytics.topPages(minute, limit)).map(
    ({ path, views, clicks, addToCarts, purchases, revenueCents }) => ({
      path,
      views,
      clicks,
      addToCarts,
      purchases,
      revenue: decimalOfCents(revenueCents),
    }),
  ),
});

/**
 * The aggregation mapping is the one that received the most records (it reads every event);
 * its lag over the last complete minute's rate is how many seconds of events wait.
 */
export const freshnessOf = (activity: readonly MinuteActivity[], pipeline: PipelineHealth): Freshness => {
  const complete = activity.at(-2);
  const eventsPerSecond = (complete?.events ?? 0) / 60;
  const newest = [...activity].reverse().find((minute) => minute.events > 0);
  const aggregation = pipeline.available
    ? [...pipeline.mappings].sort((a, b) => (b.recordsDelivered ?? 0) - (a.recordsDelivered ?? 0))[0]
    : undefined;
  const backlogRecords = aggregation?.lag ?? null;
  return {
    newestMinute: newest?.minute ?? null,
    backlogRecords,
    eventsPerSecond: Math.round(eventsPerSecond * 10) / 10,
    backlogSeconds:
      backlogRecords === null || eventsPerSecond === 0
        ? null
        : Math.round((backlogRecords / eventsPerSecond) * 10) / 10,
  };
};

/** The run's Lambda and DynamoDB bill so far, per million events the aggregation function received. */
export const costOfPipeline = (pipeline: PipelineHealth): Cost => {
  if (!pipeline.available) return { available: false, reason: pipeline.reason };
  const gbSeconds = pipeline.mappings.reduce((sum, m) => sum + (m.gbSeconds ?? 0), 0);
  const invocations = pipeline.mappings.reduce((sum, m) => sum + (m.invocations ?? 0), 0);
  const events = Math.max(0, ...pipeline.mappings.map((m) => m.recordsDelivered ?? 0));
  if (pipeline.dynamoDbUnits === null || events === 0 || pipeline.mappings.some((m) => m.gbSeconds === null))
    return {
      available: false,
      reason: `${pipeline.source} reports no billed duration or DynamoDB units (npm run demo does)`,
    };
  const lambdaUsd = gbSeconds * PRICES.lambdaArmGbSecond + invocations * PRICES.lambdaRequest;
  const dynamoDbUsd =
    pipeline.dynamoDbUnits.write * PRICES.dynamoWriteUnit +
    pipeline.dynamoDbUnits.read * PRICES.dynamoReadUnit;
  return {
    available: true,
    lambdaUsd,
    dynamoDbUsd,
    events,
    usdPerMillionEvents: ((lambdaUsd + dynamoDbUsd) / events) * 1e6,
    prices: `${PRICES.region} list prices of ${PRICES.asOf}`,
  };
};

/**
 * Reads everything the dashboard shows at `now`. The analytics table is required: if it
 * cannot be read the snapshot fails. Segment statistics and pipeline health are optional:
 * when they fail or are absent, the snapshot says why and the rest is still shown.
 *
 * @throws {AggregateStoreError} when the analytics table cannot be read.
 */
export const buildSnapshot = async (
  sources: SnapshotSources,
  settings: SnapshotSettings,
  now: number,
): Promise<Snapshot> => {
  const current = minuteOf(now);
  const rangeStart = minutesBefore(current, settings.rangeMinutes - 1);
  const funnelStart = minutesBefore(current, settings.funnelMinutes - 1);
  const sessionMinutes = minutesBetween(minutesBefore(current, settings.sessionMinutes - 1), current);

  const [funnels, topCurrent, topPrevious, sessionCounts, enrichment, pipeline] = await Promise.all([
    sources.analytics.funnels(rangeStart, current),
    topPagesOf(sources.analytics, current, settings.topPages),
    topPagesOf(sources.analytics, minutesBefore(current, 1), settings.topPages),
    Promise.all(sessionMinutes.map((minute) => sources.analytics.uniqueSessions(minute))),
    readEnrichment(sources.segmentStats, rangeStart, current),
    readPipeline(sources.pipelineStats, settings.pipelineTimeoutMs),
  ]);

  const byMinute = new Map(funnels.map((funnel) => [funnel.minute, funnel]));
  const activity = minutesBetween(rangeStart, current).map((minute): MinuteActivity => {
    const funnel = byMinute.get(minute);
    return {
      minute,
      events: funnel?.events ?? 0,
      pageViews: funnel?.pageViews ?? 0,
      addToCarts: funnel?.addToCarts ?? 0,
      purchases: funnel?.purchases ?? 0,
      revenue: decimalOfCents(funnel?.revenueCents ?? 0n),
    };
  });
  const funnelMinutes = funnels.filter((funnel) => funnel.minute >= funnelStart);
  const perMinute = sessionMinutes.map((minute, index) => ({ minute, sessions: sessionCounts[index] ?? 0 }));

  return {
    generatedAt: now,
    source: sources.source,
    analyticsTable: sources.analyticsTable,
    currency: settings.currency,
    currentMinute: current,
    activity,
    topPages: { current: topCurrent, previous: topPrevious },
    funnel: funnelOf(funnelMinutes, funnelStart, current),
    sessions: { active: perMinute.at(-1)?.sessions ?? 0, perMinute },
    enrichment,
    pipeline,
    pipelineHistory: sources.pipelineHistory?.() ?? [],
    freshness: freshnessOf(activity, pipeline),
    cost: costOfPipeline(pipeline),
  };
};
