import { z } from 'zod';
import { endpointUrl, readEnv } from '../services/commons/env.ts';
import { EnvName } from '../services/commons/env-names.ts';
import { resolveEndpoints } from '../tooling/endpoints.ts';
import type { StackState } from '../tooling/stack-state.ts';
import type { DeployedMapping } from './cloudwatch-pipeline-stats.ts';
import { DashboardConfigError } from './errors.ts';

/**
 * The dead-letter topic when DLQ_TOPIC is not set: the default of serverless.yml's
 * `params.default.deadLetterTopic`, which the local stack creates.
 */
export const DEFAULT_DEAD_LETTER_TOPIC = 'clickstream-dlq';

/** One `function:uuid:topic[:group]` entry of EVENT_SOURCE_MAPPINGS. */
const MAPPING = /^([A-Za-z0-9_-]+):([0-9a-fA-F-]{36}):([A-Za-z0-9._-]+)(?::([^:,\s]+))?$/;

/** EVENT_SOURCE_MAPPINGS: comma-separated `function:uuid:topic[:group]`, at least one. */
const mappingList = () =>
  z
    .string()
    .min(1, 'must not be empty')
    .transform((value, ctx): DeployedMapping[] => {
      const mappings: DeployedMapping[] = [];
      for (const entry of value.split(',').map((part) => part.trim())) {
        const match = MAPPING.exec(entry);
        if (match === null) {
          ctx.addIssue({
            code: 'custom',
            message: `has "${entry}": each entry must be function:uuid:topic[:group] (the mapping's UUID as Lambda shows it)`,
          });
          return z.NEVER;
        }
        const [, functionName = '', uuid = '', topic = '', consumerGroup] = match;
        mappings.push({
          functionName,
          uuid,
          topic,
          ...(consumerGroup === undefined ? {} : { consumerGroup }),
        });
      }
      return mappings;
    });

const Env = z.object({
  ANALYTICS_TABLE: z.string().min(1, 'must not be empty').optional(),
  USER_PROFILES_TABLE: z.string().min(1, 'must not be empty').optional(),
  DYNAMODB_ENDPOINT: endpointUrl().optional(),
  AWS_REGION: z.string().min(1, 'must not be empty').optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_PROFILE: z.string().optional(),
  DLQ_TOPIC: z.string().min(1, 'must not be empty').optional(),
  [EnvName.EVENT_SOURCE_MAPPINGS]: mappingList().optional(),
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
  /**
   * Deployed mappings whose CloudWatch metrics make the health panel (EVENT_SOURCE_MAPPINGS,
   * with AWS_REGION); `undefined` reads health from Kafka, or shows it as unavailable.
   */
  readonly cloudWatch?: { readonly region: string; readonly mappings: readonly DeployedMapping[] };
  /** Shown on the page. */
  readonly source: string;
}

const cloudWatchOf = (
  mappings: readonly DeployedMapping[] | undefined,
  region: string | undefined,
): { cloudWatch?: NonNullable<DashboardConfig['cloudWatch']> } => {
  if (mappings === undefined) return {};
  if (region === undefined)
    throw new DashboardConfigError(
      `AWS_REGION is not set: it is required to read the CloudWatch metrics of ${EnvName.EVENT_SOURCE_MAPPINGS}`,
    );
  return { cloudWatch: { region, mappings } };
};

/**
 * Reads the dashboard's settings once: ANALYTICS_TABLE (with DYNAMODB_ENDPOINT for a local
 * endpoint, or AWS_REGION for AWS) when set, otherwise the running local stack; with
 * EVENT_SOURCE_MAPPINGS (and AWS_REGION), the deployed mappings whose CloudWatch metrics make
 * the health panel.
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
  const cloudWatch = cloudWatchOf(vars.EVENT_SOURCE_MAPPINGS, vars.AWS_REGION);

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
        ...cloudWatch,
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
      ...cloudWatch,
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
    ...cloudWatch,
    source: `local stack (${stack.dynamodbEndpoint})`,
  });
};
