import { z } from 'zod';
import { endpointUrl, readEnv } from '../services/commons/env.ts';
import { resolveEndpoints } from '../tooling/endpoints.ts';
import type { StackState } from '../tooling/stack-state.ts';
import { DashboardConfigError } from './errors.ts';

/**
 * The dead-letter topic when DLQ_TOPIC is not set: the default of serverless.yml's
 * `params.default.deadLetterTopic`, which the local stack creates.
 */
export const DEFAULT_DEAD_LETTER_TOPIC = 'clickstream-dlq';

const Env = z.object({
  ANALYTICS_TABLE: z.string().min(1, 'must not be empty').optional(),
  USER_PROFILES_TABLE: z.string().min(1, 'must not be empty').optional(),
  DYNAMODB_ENDPOINT: endpointUrl().optional(),
  AWS_REGION: z.string().min(1, 'must not be empty').optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_PROFILE: z.string().optional(),
  DLQ_TOPIC: z.string().min(1, 'must not be empty').optional(),
});

/** Where the dashboard reads from; every field comes from the environment or the local stack. */
export interface DashboardConfig {
  readonly dynamodb: {
    readonly region: string;
    /** A local endpoint, or `undefined` for the region's DynamoDB. */
    readonly endpoint: string | undefined;
    /** A local endpoint without AWS credentials gets dummy ones (emulators accept any). */
    readonly dummyCredentials: boolean;
  };
  readonly tables: { readonly analytics: string; readonly userProfiles?: string };
  /** Brokers to read consumer lag from; `undefined` shows health as unavailable. */
  readonly kafkaBrokers: string[] | undefined;
  readonly deadLetterTopic: string;
  /** Shown on the page. */
  readonly source: string;
}

/**
 * Reads the dashboard's settings once: ANALYTICS_TABLE (with DYNAMODB_ENDPOINT for a local
 * endpoint, or AWS_REGION for AWS) when set, otherwise the running local stack.
 *
 * @param stack the local stack's endpoints (.cache/stack/endpoints.json), if it runs.
 * @throws {DashboardConfigError} naming the variable to set or fix.
 */
export const readDashboardConfig = (
  env: Readonly<Record<string, string | undefined>>,
  stack: StackState | undefined,
): DashboardConfig => {
  const makeError = (message: string, options: ErrorOptions) => new DashboardConfigError(message, options);
  const vars = readEnv(Env, env, makeError);
  // KAFKA_BROKERS alone here: the stack's brokers are added below only where its tables are read.
  const kafka = resolveEndpoints(env, undefined, makeError).kafka;
  const kafkaBrokers = kafka === undefined ? undefined : [...kafka.brokers];
  const deadLetterTopic = vars.DLQ_TOPIC ?? DEFAULT_DEAD_LETTER_TOPIC;
  const hasCredentials = vars.AWS_ACCESS_KEY_ID !== undefined || vars.AWS_PROFILE !== undefined;
  const userProfiles =
    vars.USER_PROFILES_TABLE === undefined ? {} : { userProfiles: vars.USER_PROFILES_TABLE };

  if (vars.ANALYTICS_TABLE !== undefined) {
    const tables = { analytics: vars.ANALYTICS_TABLE, ...userProfiles };
    if (vars.DYNAMODB_ENDPOINT !== undefined) {
      return Object.freeze({
        dynamodb: {
          region: vars.AWS_REGION ?? 'us-east-1',
          endpoint: vars.DYNAMODB_ENDPOINT,
          dummyCredentials: !hasCredentials,
        },
        tables,
        kafkaBrokers: kafkaBrokers ?? stack?.kafkaBrokers,
        deadLetterTopic,
        source: `DynamoDB at ${vars.DYNAMODB_ENDPOINT}`,
      });
    }
    if (vars.AWS_REGION === undefined) {
      throw new DashboardConfigError(
        'AWS_REGION is not set: it is required to read ANALYTICS_TABLE from AWS (or set DYNAMODB_ENDPOINT to read a local endpoint)',
      );
    }
    return Object.freeze({
      dynamodb: { region: vars.AWS_REGION, endpoint: undefined, dummyCredentials: false },
      tables,
      kafkaBrokers,
      deadLetterTopic,
      source: `AWS ${vars.AWS_REGION}`,
    });
  }
  if (vars.DYNAMODB_ENDPOINT !== undefined) {
    throw new DashboardConfigError(
      'ANALYTICS_TABLE is not set: it is required when DYNAMODB_ENDPOINT is set',
    );
  }
  if (stack === undefined) {
    throw new DashboardConfigError(
      'no data to show: the local stack is not running (start it with `npm run stack -- up`) and ANALYTICS_TABLE is not set',
    );
  }
  return Object.freeze({
    dynamodb: {
      region: vars.AWS_REGION ?? 'us-east-1',
      endpoint: stack.dynamodbEndpoint,
      dummyCredentials: true,
    },
    tables: { analytics: stack.tables.analytics, userProfiles: stack.tables.userProfiles },
    kafkaBrokers: kafkaBrokers ?? stack.kafkaBrokers,
    deadLetterTopic,
    source: `local stack (${stack.dynamodbEndpoint})`,
  });
};
