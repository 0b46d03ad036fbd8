import { z } from 'zod';
import { readEnv, requiredString } from '../commons/env.ts';

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
  })
  .transform((env) => ({
    userProfilesTable: env.USER_PROFILES_TABLE,
    topics: { sessionsEnriched: env.SESSIONS_ENRICHED_TOPIC, cartAbandoned: env.CART_ABANDONED_TOPIC },
    deadLetterTopic: env.DLQ_TOPIC,
  }));

/** Read once at start-up; a missing variable stops the function with its name. */
export const config = readEnv(EnrichSessionsEnvSchema);
