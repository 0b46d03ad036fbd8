import { z } from 'zod';
import { flag, positiveInt, readEnv, requiredString } from '../../services/commons/env.ts';

/** The enrichment function's own settings (clients read theirs in functions/commons/clients). */
export const EnrichSessionsEnvSchema = z
  .object({
    /** The user-profiles table (resources/dynamodb-tables.yml, UserProfilesTable). */
    USER_PROFILES_TABLE: requiredString(),
    /** Where enriched sessions go (`clickstream-sessions-enriched`); it must exist. */
    SESSIONS_ENRICHED_TOPIC: requiredString(),
    /** Where cart-abandoned events go (`clickstream-cart-abandoned`); it must exist. */
    CART_ABANDONED_TOPIC: requiredString(),
    /** The dead-letter topic undecodable session rows go to; it must exist. */
    DLQ_TOPIC: requiredString(),
    /**
     * `true` when the function's event source mapping has FunctionResponseTypes
     * [ReportBatchItemFailures] (provisioned mode): a failed partition is then reported, not
     * thrown (functions/commons/kafka-batch-handler.ts). Never without that response type.
     */
    REPORT_BATCH_ITEM_FAILURES: flag(false),
    /**
     * Seconds a warm instance reuses a profile lookup (a profile, or its absence); `0` reads
     * DynamoDB for every batch. A changed or new profile shows within this time.
     */
    PROFILE_CACHE_TTL_SECONDS: z
      .string()
      .regex(/^\d+$/, 'must be a whole number of seconds (0 disables the cache)')
      .optional()
      .transform((value) => (value === undefined ? 60 : Number(value))),
    /** Users whose lookup an instance remembers at most. */
    PROFILE_CACHE_MAX_ENTRIES: positiveInt(50_000),
  })
  .transform((env) => ({
    userProfilesTable: env.USER_PROFILES_TABLE,
    topics: { sessionsEnriched: env.SESSIONS_ENRICHED_TOPIC, cartAbandoned: env.CART_ABANDONED_TOPIC },
    deadLetterTopic: env.DLQ_TOPIC,
    reportBatchItemFailures: env.REPORT_BATCH_ITEM_FAILURES,
    profileCache: { ttlMs: env.PROFILE_CACHE_TTL_SECONDS * 1000, maxEntries: env.PROFILE_CACHE_MAX_ENTRIES },
  }));

/** Read once at start-up; a missing variable stops the function with its name. */
export const config = readEnv(EnrichSessionsEnvSchema);
