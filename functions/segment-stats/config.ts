import { z } from 'zod';
import { positiveInt, readEnv, requiredString } from '../../services/commons/env.ts';

/** The segment-stats writer's own settings (clients read theirs in functions/commons/clients). */
export const SegmentStatsEnvSchema = z
  .object({
    /** The analytics table (resources/dynamodb-tables.yml, AnalyticsTable). */
    ANALYTICS_TABLE: requiredString(),
    /** The dead-letter topic undecodable rows go to; it must exist. */
    DLQ_TOPIC: requiredString(),
    /** Days a window's item lives after the window ends, before DynamoDB TTL removes it. */
    SEGMENT_STATS_RETENTION_DAYS: positiveInt(30),
    /** DynamoDB writes in flight at once per invocation. */
    DYNAMODB_WRITE_CONCURRENCY: positiveInt(16),
  })
  .transform((env) => ({
    analyticsTable: env.ANALYTICS_TABLE,
    deadLetterTopic: env.DLQ_TOPIC,
    retentionDays: env.SEGMENT_STATS_RETENTION_DAYS,
    writeConcurrency: env.DYNAMODB_WRITE_CONCURRENCY,
  }));

/** Read once at start-up; a missing variable stops the function with its name. */
export const config = readEnv(SegmentStatsEnvSchema);
