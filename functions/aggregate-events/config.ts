import { z } from 'zod';
import { positiveInt, readEnv, requiredString } from '../../services/commons/env.ts';

/** The aggregation function's own settings (clients read theirs in functions/commons/clients). */
export const AggregateEventsEnvSchema = z
  .object({
    /** The analytics table (resources/dynamodb-tables.yml, AnalyticsTable). */
    ANALYTICS_TABLE: requiredString(),
    /** The dead-letter topic poison records go to; it must exist. */
    DLQ_TOPIC: requiredString(),
    /** Days a minute bucket's items live before DynamoDB TTL removes them. */
    AGGREGATE_RETENTION_DAYS: positiveInt(30),
    /** DynamoDB requests in flight at once per invocation. */
    DYNAMODB_WRITE_CONCURRENCY: positiveInt(16),
  })
  .transform((env) => ({
    analyticsTable: env.ANALYTICS_TABLE,
    deadLetterTopic: env.DLQ_TOPIC,
    retentionDays: env.AGGREGATE_RETENTION_DAYS,
    writeConcurrency: env.DYNAMODB_WRITE_CONCURRENCY,
  }));

/** Read once at start-up; a missing variable stops the function with its name. */
export const config = readEnv(AggregateEventsEnvSchema);
