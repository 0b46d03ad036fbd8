import { z } from 'zod';
import { readEnv, requiredString } from '../../../services/commons/env.ts';

/** The bench handlers' own setting; the aggregation's come from functions/aggregate-events/config.ts. */
export const BenchHandlerEnvSchema = z
  .object({
    /** The scenario the instance's reports belong to, set by the benchmark per emulator run. */
    BENCH_SCENARIO: requiredString(),
  })
  .transform((env) => ({ scenario: env.BENCH_SCENARIO }));

/** Read once at start-up; a missing variable stops the instance with its name. */
export const config = readEnv(BenchHandlerEnvSchema);
