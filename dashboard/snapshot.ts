import { z } from 'zod';
import { PipelineStatsSchema } from './pipeline-stats.ts';

/**
 * The JSON document `GET /api/snapshot` answers: everything the page shows, computed on the
 * server from the analytics table and the pipeline's stats. The page validates it with the
 * same schema, so server and page cannot drift apart.
 */

const count = z.number().int().nonnegative();
/**
 * An amount of money as exact decimal text, two places (`"1234.50"`): a minute's revenue can
 * pass 2^53 cents, which no JSON number carries to the cent (services/aggregation/money.ts).
 */
const amount = z.string().regex(/^\d+\.\d{2}$/);
/** Dollars of the cloud bill: small, fractional, a float is right for them. */
const usd = z.number().nonnegative();
/** A minute bucket, `YYYY-MM-DDTHH:mmZ` (services/aggregation/time-buckets.ts). */
const minute = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
/** A part of the snapshot that could not be read: what failed, in words. */
const Unavailable = z.object({ available: z.literal(false), reason: z.string() });

export const MinuteActivitySchema = z.object({
  minute,
  events: count,
  pageViews: count,
  addToCarts: count,
  purchases: count,
  revenue: amount,
});
export type MinuteActivity = z.infer<typeof MinuteActivitySchema>;

export const PageRowSchema = z.object({
  path: z.string(),
  views: count,
  clicks: count,
  addToCarts: count,
  purchases: count,
  revenue: amount,
});
export type PageRow = z.infer<typeof PageRowSchema>;

export const TopPagesSchema = z.object({ minute, pages: z.array(PageRowSchema) });
export type TopPages = z.infer<typeof TopPagesSchema>;

/** The funnel's steps in order; each is an event type counted by the aggregation. */
export const FUNNEL_STEPS = ['pageViews', 'addToCarts', 'checkouts', 'purchases'] as const;
export type FunnelStepName = (typeof FUNNEL_STEPS)[number];

export const FunnelStepSchema = z.object({
  step: z.enum(FUNNEL_STEPS),
  count,
  /** This step's count over the previous step's, `null` for the first step or after a zero. */
  fromPrevious: z.number().nonnegative().nullable(),
  /** This step's count over the first step's, `null` when the first step is zero. */
  fromFirst: z.number().nonnegative().nullable(),
});
export type FunnelStep = z.infer<typeof FunnelStepSchema>;

export const FunnelSchema = z.object({
  from: minute,
  to: minute,
  steps: z.array(FunnelStepSchema),
  revenue: amount,
});
export type Funnel = z.infer<typeof FunnelSchema>;

export const SessionActivitySchema = z.object({
  minute,
  /** Distinct sessions with at least one event in the minute. */
  sessions: count,
});

export const SessionsSchema = z.object({
  /** Distinct sessions active in the current minute. */
  active: count,
  perMinute: z.array(SessionActivitySchema),
});
export type Sessions = z.infer<typeof SessionsSchema>;

/** Sessions closed by the session window and enriched, grouped by one dimension. */
export const ConversionRowSchema = z.object({
  /** A segment (`vip`, `new`…) or a device type (`desktop`, `mobile`…). */
  group: z.string(),
  sessions: count,
  converted: count,
  /** `converted / sessions`, `null` when there were no sessions. */
  rate: z.number().nonnegative().nullable(),
  revenue: amount,
  abandonedCarts: count,
});
export type ConversionRow = z.infer<typeof ConversionRowSchema>;

export const EnrichmentSchema = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    from: minute,
    to: minute,
    closedSessions: count,
    converted: count,
    abandonedCarts: count,
    /** What the abandoned carts held, in the shop's currency. */
    abandonedCartValue: amount,
    bySegment: z.array(ConversionRowSchema),
    byDevice: z.array(ConversionRowSchema),
  }),
  Unavailable,
]);
export type Enrichment = z.infer<typeof EnrichmentSchema>;

export const PipelineHealthSchema = z.discriminatedUnion('available', [
  PipelineStatsSchema.extend({ available: z.literal(true) }),
  Unavailable,
]);
export type PipelineHealth = z.infer<typeof PipelineHealthSchema>;

/** One sample of the pipeline's history: per mapping, its lag (records) and event pollers. */
export const PipelineSampleSchema = z.object({
  /** Epoch milliseconds. */
  at: z.number().int(),
  lag: z.record(z.string(), count),
  pollers: z.record(z.string(), count),
});
export type PipelineSample = z.infer<typeof PipelineSampleSchema>;

/**
 * How far behind the counters are: the aggregation mapping's lag in records, divided by the
 * events per second of the last complete minute; `null` where a figure is missing.
 */
export const FreshnessSchema = z.object({
  /** The newest minute with counted events. */
  newestMinute: minute.nullable(),
  /** Records the aggregation mapping has not yet processed. */
  backlogRecords: count.nullable(),
  /** Events per second in the last complete minute. */
  eventsPerSecond: z.number().nonnegative(),
  /** backlogRecords ÷ eventsPerSecond: seconds of events waiting, before the batch window. */
  backlogSeconds: z.number().nonnegative().nullable(),
});
export type Freshness = z.infer<typeof FreshnessSchema>;

/**
 * What the run has cost at AWS list prices (tooling/aws-prices.ts): every mapping's Lambda
 * GB-s and requests, and the DynamoDB units the functions reported, per million events the
 * aggregation function received.
 */
export const CostSchema = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    lambdaUsd: usd,
    dynamoDbUsd: usd,
    events: count,
    usdPerMillionEvents: usd,
    /** The prices' date and region, for the note. */
    prices: z.string(),
  }),
  Unavailable,
]);
export type Cost = z.infer<typeof CostSchema>;

export const SnapshotSchema = z.object({
  /** Epoch milliseconds when the server read the data. */
  generatedAt: z.number().int(),
  /** Where the data comes from, e.g. `local stack (http://127.0.0.1:8000)`. */
  source: z.string(),
  analyticsTable: z.string(),
  /** The shop's currency (ISO 4217) every money amount is in. */
  currency: z.string().length(3),
  currentMinute: minute,
  /** One entry per minute of the dashboard's range, oldest first, zeros where nothing happened. */
  activity: z.array(MinuteActivitySchema),
  topPages: z.object({ current: TopPagesSchema, previous: TopPagesSchema }),
  funnel: FunnelSchema,
  sessions: SessionsSchema,
  enrichment: EnrichmentSchema,
  pipeline: PipelineHealthSchema,
  /** The pipeline since the dashboard started, sampled on the server. */
  pipelineHistory: z.array(PipelineSampleSchema),
  freshness: FreshnessSchema,
  cost: CostSchema,
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** The body of an error answer from the API. */
export const ApiErrorSchema = z.object({ error: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** The answer of `GET /api/snapshot`: a snapshot, and how often the page should ask again. */
export const SnapshotResponseSchema = SnapshotSchema.extend({ refreshMs: z.number().int().positive() });
export type SnapshotResponse = z.infer<typeof SnapshotResponseSchema>;
