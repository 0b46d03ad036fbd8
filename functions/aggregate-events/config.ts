import { z } from 'zod';
import { flag, positiveInt, readEnv, requiredString } from '../../services/commons/env.ts';

/** The events topic's retention, in days (deploy/topics.ts, `retention.ms`). */
const TOPIC_RETENTION_DAYS = 7;

/** The aggregation function's own settings (clients read theirs in functions/commons/clients). */
export const AggregateEventsEnvSchema = z
  .object({
    /** The analytics table (resources/dynamodb-tables.yml, AnalyticsTable). */
    ANALYTICS_TABLE: requiredString(),
    /** The dead-letter topic poison records go to; it must exist. */
    DLQ_TOPIC: requiredString(),
    /**
     * `true` when the function's event source mapping has FunctionResponseTypes
     * [ReportBatchItemFailures] (provisioned mode): a failed partition is then reported, not
     * thrown (functions/commons/kafka-batch-handler.ts). Never without that response type.
     */
    REPORT_BATCH_ITEM_FAILURES: flag(false),
    /** Days a minute bucket's items live before DynamoDB TTL removes them. */
    AGGREGATE_RETENTION_DAYS: positiveInt(30),
    /** DynamoDB requests in flight at once per invocation. */
    DYNAMODB_WRITE_CONCURRENCY: positiveInt(16),
    /** How many days an event's time may lie before its record's Kafka timestamp. */
    EVENT_TIME_MAX_PAST_DAYS: positiveInt(7),
    /** How many days an event's time may lie after its record's Kafka timestamp. */
    EVENT_TIME_MAX_FUTURE_DAYS: positiveInt(1),
  })
  .superRefine((env, context) => {
    // A redelivery may come as long as the topic keeps the record (deploy/topics.ts: 7 days);
    // the items it would find must still be there (services/aggregation/time-buckets.ts).
    if (env.AGGREGATE_RETENTION_DAYS <= TOPIC_RETENTION_DAYS) {
      context.addIssue({
        code: 'custom',
        path: ['AGGREGATE_RETENTION_DAYS'],
        message: `must be more than the events topic's retention (${TOPIC_RETENTION_DAYS} days), or a redelivery could find its watermarks expired`,
      });
    }
  })
  .transform((env) => ({
    analyticsTable: env.ANALYTICS_TABLE,
    deadLetterTopic: env.DLQ_TOPIC,
    reportBatchItemFailures: env.REPORT_BATCH_ITEM_FAILURES,
    retentionDays: env.AGGREGATE_RETENTION_DAYS,
    writeConcurrency: env.DYNAMODB_WRITE_CONCURRENCY,
    eventTimeBounds: {
      maxPastMs: env.EVENT_TIME_MAX_PAST_DAYS * 86_400_000,
      maxFutureMs: env.EVENT_TIME_MAX_FUTURE_DAYS * 86_400_000,
    },
  }));

/** Read once at start-up; a missing variable stops the function with its name. */
export const config = readEnv(AggregateEventsEnvSchema);
