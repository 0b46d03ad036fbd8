import { z } from 'zod';
import { flag, positiveInt, readEnv, requiredString } from '../../services/commons/env.ts';

/** The segment-stats writer's own settings (clients read theirs in functions/commons/clients). */
export const SegmentStatsEnvSchema = z
  .object({
    /** The analytics table (resources/dynamodb-tables.yml, AnalyticsTable). */
    ANALYTICS_TABLE: requiredString(),
    /** The dead-letter topic undecodable rows go to; it must exist. */
    DLQ_TOPIC: requiredString(),
    /**
     * `true` when the function's event source mapping has FunctionResponseTypes
     * [ReportBatchItemFailures] (provisioned mode): a failed partition is then reported, not
     * thrown (functions/commons/kafka-batch-handler.ts). Never without that response type.
     */
    REPORT_BATCH_ITEM_FAILURES: flag(false),
    /** Days a window's item lives after the window ends, before DynamoDB TTL removes it. */
    SEGMENT_STATS_RETENTION_DAYS: positiveInt(30),
    /** DynamoDB writes in flight at once per invocation. */
    DYNAMODB_WRITE_CONCURRENCY: positiveInt(16),
  })
  .transform((env) => ({
    analyticsTable: env.ANALYTICS_TABLE,
    deadLetterTopic: env.DLQ_TOPIC,
    reportBatchItemFailures: env.REPORT_BATCH_ITEM_FAILURES,
    retentionDays: env.SEGMENT_STATS_RETENTION_DAYS,
    writeConcurrency: env.DYNAMODB_WRITE_CONCURRENCY,
  }));

/** Read once at start-up; a missing variable stops the function with its name. */
export const config = readEnv(SegmentStatsEnvSchema);
