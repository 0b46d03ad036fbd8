/**
 * Reads the functions and their Kafka event source mappings from the resolved serverless
 * configuration — the same file that deploys — and validates each mapping as Lambda's
 * `CreateEventSourceMapping` would.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ServerlessConfigError } from '../../serverless/errors.ts';
import {
  type FunctionSchema,
  type ServerlessConfig,
  ServerlessConfigSchema,
} from '../../serverless/print.ts';
import { MappingConfigError } from './errors.ts';
import { compileFilterCriteria, type FilterCriteria, FilterSyntaxError } from './filter.ts';
import { MetricGroup } from './mapping-metrics.ts';
import { POLLER_LIMITS, ScalingMode } from './scaler.ts';
import {
  resolveSchemaRegistryConfig,
  SchemaRegistryConfigSchema,
  type SchemaRegistrySettings,
} from './schema-registry.ts';
import {
  fromKafkaAccessConfigurations,
  type MappingAuthentication,
  resolveSourceAccess,
} from './source-access.ts';
import { SystemLogLevel } from './system-log.ts';

const Primitive = z.union([z.string(), z.number(), z.boolean()]);

const KafkaEventSchema = z.looseObject({
  topic: z.string(),
  bootstrapServers: z.array(z.string()).optional(),
  batchSize: z.number().optional(),
  maximumBatchingWindow: z.number().optional(),
  startingPosition: z.string().optional(),
  startingPositionTimestamp: z.number().optional(),
  consumerGroupId: z.string().optional(),
  enabled: z.boolean().optional(),
  filterPatterns: z.array(z.unknown()).optional(),
  onFailureDestination: z.string().optional(),
  // Not in the serverless v3 `kafka`/`msk` schemas (it warns about them); also accepted from custom.esm.
  functionResponseTypes: z.array(z.string()).optional(),
  maximumRetryAttempts: z.number().optional(),
  bisectBatchOnFunctionError: z.boolean().optional(),
  maximumRecordAgeInSeconds: z.number().optional(),
  /** osls: `{ saslPlainAuth | saslScram256Auth | saslScram512Auth | vpcSubnet | …: [values] }`. */
  accessConfigurations: z.record(z.string(), z.unknown()).optional(),
});

/** osls's `msk` event: `saslScram512` is the one access configuration it takes (a secret ARN). */
const MskEventSchema = KafkaEventSchema.extend({ arn: z.unknown(), saslScram512: z.unknown().optional() });

/** A whole number, also as `--param` delivers it (a string of digits). */
const Integer = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

/**
 * Settings serverless v3 cannot express on a `kafka` event, keyed by function:
 * `custom.esm.<function>`. serverless.yml deploys the same values through
 * `resources.extensions` of the generated mapping (resources/esm-<mode>.yml).
 */
const EsmExtrasSchema = z.strictObject({
  functionResponseTypes: z.array(z.string()).optional(),
  maximumRetryAttempts: Integer.optional(),
  bisectBatchOnFunctionError: z.boolean().optional(),
  maximumRecordAgeInSeconds: Integer.optional(),
  /** Deployed as MaximumBatchingWindowInSeconds, 0 included (serverless itself drops a 0). */
  maximumBatchingWindow: Integer.optional(),
  /** DestinationConfig.OnFailure, deployed through resources.extensions; the event's key wins. */
  onFailureDestination: z.string().optional(),
  /** ProvisionedPollerConfig: its presence turns provisioned mode on. */
  provisionedPollerConfig: z
    .strictObject({
      minimumPollers: Integer.optional(),
      maximumPollers: Integer.optional(),
      /** Mappings with the same name share their event pollers (emulators/esm/poller-groups.ts). */
      pollerGroupName: z.string().optional(),
    })
    .nullable()
    .optional(),
  /** MetricsConfig: `{ metrics: [EventCount | ErrorCount | KafkaMetrics] }`, deployed as MetricsConfig. */
  metricsConfig: z.strictObject({ metrics: z.array(z.string()) }).optional(),
  /** LoggingConfig: `{ systemLogLevel: DEBUG | INFO | WARN }` (provisioned mode only). */
  loggingConfig: z.strictObject({ systemLogLevel: z.string() }).optional(),
  /**
   * SourceAccessConfigurations in CloudFormation's shape, `[{ Type, URI }]`, as deployed through
   * resources.extensions; they replace what the event's own keys compile to.
   */
  sourceAccessConfigurations: z.array(z.unknown()).optional(),
  /** SchemaRegistryConfig (provisioned mode only), deployed through resources.extensions. */
  schemaRegistryConfig: SchemaRegistryConfigSchema.optional(),
});
export type EsmExtras = z.infer<typeof EsmExtrasSchema>;

/** Where a mapping starts when its consumer group has no committed offset. */
export const StartingPosition = {
  TrimHorizon: 'TRIM_HORIZON',
  Latest: 'LATEST',
  AtTimestamp: 'AT_TIMESTAMP',
} as const;
export type StartingPosition = (typeof StartingPosition)[keyof typeof StartingPosition];

const isStartingPosition = (value: string): value is StartingPosition =>
  (Object.values(StartingPosition) as string[]).includes(value);

/** A function as deployed: its handler, limits and environment. */
export interface FunctionDefinition {
  /** The key under `functions:` in serverless.yml. */
  readonly key: string;
  /** The deployed name (`<service>-<stage>-<key>` unless set). */
  readonly name: string;
  /** Handler module path without extension, relative to the service root, e.g. `functions/x/handler`. */
  readonly handlerModule: string;
  /** The exported function's name, e.g. `handler`. */
  readonly handlerExport: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** `reservedConcurrency`: invocations beyond it are throttled. */
  readonly reservedConcurrency: number | undefined;
  readonly region: string;
  /** Lambda runtime identifier, e.g. `nodejs20.x` (AWS_EXECUTION_ENV is derived from it). */
  readonly runtime: string;
  /** provider.environment merged with the function's, as deployed (values as strings). */
  readonly environment: Readonly<Record<string, string>>;
}

/** One Kafka event source mapping, normalised to Lambda's own settings and defaults. */
export interface EventSourceMapping {
  /** Stable id (a UUID derived from service, stage, function and topic), as AWS gives each mapping one. */
  readonly uuid: string;
  readonly functionKey: string;
  readonly kind: 'SelfManagedKafka' | 'aws:kafka';
  /** MSK only: the cluster ARN when it resolves to a string locally. */
  readonly eventSourceArn: string | undefined;
  readonly topic: string;
  readonly consumerGroupId: string;
  /** True when no ConsumerGroupId was configured and the emulator generated one. */
  readonly consumerGroupIdGenerated: boolean;
  readonly batchSize: number;
  readonly maximumBatchingWindowMs: number;
  readonly startingPosition: StartingPosition;
  /** Epoch milliseconds, for AT_TIMESTAMP. */
  readonly startingPositionTimestampMs: number | undefined;
  readonly filterCriteria: FilterCriteria | undefined;
  readonly reportBatchItemFailures: boolean;
  /** -1 retries until the records expire (forever here); else 0–10,000. */
  readonly maximumRetryAttempts: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** The Kafka topic of a `kafka://topic` on-failure destination. */
  readonly onFailureTopic: string | undefined;
  /** MaximumRecordAgeInSeconds in ms; undefined for -1 (records never expire). */
  readonly maximumRecordAgeMs: number | undefined;
  /** On-demand (the default) or provisioned (ProvisionedPollerConfig set). */
  readonly scalingMode: ScalingMode;
  /** Provisioned: MinimumPollers (default 1). On-demand: 1. */
  readonly minimumPollers: number;
  /** Provisioned: MaximumPollers (default 200). On-demand: unbounded (the partitions cap it). */
  readonly maximumPollers: number;
  /** SASL through a Secrets Manager secret (SourceAccessConfigurations); undefined: no authentication. */
  readonly authentication: MappingAuthentication | undefined;
  /** SchemaRegistryConfig, when set (emulators/esm/schema-registry.ts). */
  readonly schemaRegistry: SchemaRegistrySettings | undefined;
  /** Provisioned: ProvisionedPollerConfig.PollerGroupName, when the mapping shares its pollers. */
  readonly pollerGroupName: string | undefined;
  /** MetricsConfig.Metrics: the metric groups the mapping publishes (emulators/esm/mapping-metrics.ts). */
  readonly metrics: readonly MetricGroup[];
  /** LoggingConfig.SystemLogLevel: the system log records it writes, none when unset (emulators/esm/system-log.ts). */
  readonly systemLogLevel: SystemLogLevel | undefined;
}

/** What {@link resolveServerlessConfig} found. */
export interface ResolvedService {
  readonly service: string;
  readonly stage: string;
  readonly functions: ReadonlyMap<string, FunctionDefinition>;
  readonly mappings: readonly EventSourceMapping[];
  /** Settings read but not emulated, for the start-up log. */
  readonly warnings: readonly string[];
}

/** Lambda's defaults and limits for Kafka mappings (CreateEventSourceMapping API reference). */
export const KAFKA_LIMITS = {
  defaultBatchSize: 100,
  maxBatchSize: 10_000,
  /** "For Amazon MSK, self-managed Apache Kafka ... the default batching window is 500 ms." */
  defaultBatchingWindowMs: 500,
  maxBatchingWindowSeconds: 300,
  maxRetryAttempts: 10_000,
  /** MaximumRecordAgeInSeconds: -1, or 60–604,800 (kafka-retry-configurations.html). */
  minRecordAgeSeconds: 60,
  maxRecordAgeSeconds: 604_800,
  /** With an on-failure destination and infinite retries, Lambda applies at most 10 (kafka-on-failure-destination.html). */
  retryAttemptsWithDestination: 10,
  /** The serverless v3 default function timeout. */
  defaultTimeoutSeconds: 6,
  maxTimeoutSeconds: 900,
  defaultMemorySize: 1024,
} as const;

const CONSUMER_GROUP_ID = /^[a-zA-Z0-9\-/*:_+=.@]{1,200}$/;

/** A UUID-shaped id derived from `seed`, so a mapping keeps its id (and generated group) across restarts. */
const stableUuid = (seed: string): string => {
  const hex = createHash('sha1').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

const describeIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  return issue === undefined ? 'is invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`;
};

const environmentOf = (
  fnKey: string,
  source: Record<string, unknown> | undefined,
  warnings: string[],
): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source ?? {})) {
    const primitive = Primitive.safeParse(value);
    if (primitive.success) env[name] = String(primitive.data);
    else
      warnings.push(`function "${fnKey}": environment ${name} is not resolvable locally (set it with --env)`);
  }
  return env;
};

const integerIn = (fnKey: string, setting: string, value: number, min: number, max: number): number => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MappingConfigError(fnKey, setting, `must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
};

const resolveFunction = (
  key: string,
  fn: z.infer<typeof FunctionSchema>,
  config: ServerlessConfig,
  service: string,
  stage: string,
  warnings: string[],
): FunctionDefinition => {
  const dot = fn.handler.lastIndexOf('.');
  if (dot <= 0 || dot === fn.handler.length - 1) {
    throw new MappingConfigError(key, 'handler', `must be "<path>.<export>", got "${fn.handler}"`);
  }
  const timeout = fn.timeout ?? config.provider.timeout ?? KAFKA_LIMITS.defaultTimeoutSeconds;
  return {
    key,
    name: fn.name ?? `${service}-${stage}-${key}`,
    handlerModule: fn.handler.slice(0, dot),
    handlerExport: fn.handler.slice(dot + 1),
    timeoutSeconds: integerIn(key, 'timeout', timeout, 1, KAFKA_LIMITS.maxTimeoutSeconds),
    memorySize: fn.memorySize ?? config.provider.memorySize ?? KAFKA_LIMITS.defaultMemorySize,
    reservedConcurrency:
      fn.reservedConcurrency === undefined
        ? undefined
        : integerIn(key, 'reservedConcurrency', fn.reservedConcurrency, 0, 1000),
    region: config.provider.region ?? 'us-east-1',
    runtime: fn.runtime ?? config.provider.runtime ?? 'nodejs20.x',
    environment: {
      ...environmentOf(key, config.provider.environment, warnings),
      ...environmentOf(key, fn.environment, warnings),
    },
  };
};

type MappingEvent = z.infer<typeof MskEventSchema> | z.infer<typeof KafkaEventSchema>;

const resolveMapping = (
  fnKey: string,
  kind: EventSourceMapping['kind'],
  event: MappingEvent,
  extras: EsmExtras,
  seed: string,
  warnings: string[],
): EventSourceMapping => {
  if (event.topic.trim() === '') throw new MappingConfigError(fnKey, 'Topics', 'must name a topic');
  if (event.consumerGroupId !== undefined && !CONSUMER_GROUP_ID.test(event.consumerGroupId)) {
    throw new MappingConfigError(
      fnKey,
      'ConsumerGroupId',
      `must be 1–200 characters of [a-zA-Z0-9-/*:_+=.@], got "${event.consumerGroupId}"`,
    );
  }
  const uuid = stableUuid(seed);
  const onFailureTopic = resolveOnFailureTopic(fnKey, event, extras, warnings);
  const errorHandling = resolveErrorHandling(fnKey, event, extras, onFailureTopic);
  const pollers = resolvePollers(fnKey, extras.provisionedPollerConfig ?? undefined);
  if (pollers.scalingMode === ScalingMode.OnDemand) {
    checkOnDemand(fnKey, errorHandling, onFailureTopic, extras.maximumBatchingWindow === 0);
  }
  return {
    uuid,
    functionKey: fnKey,
    kind,
    eventSourceArn: undefined,
    topic: event.topic,
    consumerGroupId: event.consumerGroupId ?? uuid,
    consumerGroupIdGenerated: event.consumerGroupId === undefined,
    ...resolveBatching(fnKey, event, extras, warnings),
    ...resolveStartingPosition(fnKey, event),
    filterCriteria: resolveFilterCriteria(fnKey, event.filterPatterns),
    reportBatchItemFailures: errorHandling.responseTypes.includes('ReportBatchItemFailures'),
    maximumRetryAttempts: errorHandling.maximumRetryAttempts,
    bisectBatchOnFunctionError: errorHandling.bisectBatchOnFunctionError,
    onFailureTopic,
    maximumRecordAgeMs: errorHandling.recordAge === -1 ? undefined : errorHandling.recordAge * 1000,
    ...pollers,
    authentication: resolveSourceAccess(fnKey, kind, sourceAccessEntries(fnKey, event, extras)),
    schemaRegistry: resolveSchemaRegistryConfig(
      fnKey,
      extras.schemaRegistryConfig,
      pollers.scalingMode === ScalingMode.Provisioned,
    ),
    pollerGroupName: resolvePollerGroupName(fnKey, extras.provisionedPollerConfig?.pollerGroupName),
    metrics: resolveMetricsConfig(fnKey, extras.metricsConfig),
    systemLogLevel: resolveLoggingConfig(fnKey, extras.loggingConfig, pollers.scalingMode),
  };
};

/** BatchSize and MaximumBatchingWindowInSeconds, with Lambda's Kafka defaults. */
const resolveBatching = (
  fnKey: string,
  event: MappingEvent,
  extras: EsmExtras,
  warnings: string[],
): Pick<EventSourceMapping, 'batchSize' | 'maximumBatchingWindowMs'> => {
  const batchSize = integerIn(
    fnKey,
    'BatchSize',
    event.batchSize ?? KAFKA_LIMITS.defaultBatchSize,
    1,
    KAFKA_LIMITS.maxBatchSize,
  );
  const window = (value: number) =>
    integerIn(fnKey, 'MaximumBatchingWindowInSeconds', value, 0, KAFKA_LIMITS.maxBatchingWindowSeconds);
  if (extras.maximumBatchingWindow !== undefined) {
    // Deployed through resources.extensions, so a 0 reaches the mapping (with-kafka-low-latency.html).
    return { batchSize, maximumBatchingWindowMs: window(extras.maximumBatchingWindow) * 1000 };
  }
  if (event.maximumBatchingWindow === undefined) {
    return { batchSize, maximumBatchingWindowMs: KAFKA_LIMITS.defaultBatchingWindowMs };
  }
  const seconds = window(event.maximumBatchingWindow);
  if (seconds > 0) return { batchSize, maximumBatchingWindowMs: seconds * 1000 };
  // serverless v3 only sets MaximumBatchingWindowInSeconds when truthy: 0 deploys the 500 ms default.
  warnings.push(
    `function "${fnKey}": maximumBatchingWindow 0 is dropped by serverless at deploy, so the 500 ms default applies`,
  );
  return { batchSize, maximumBatchingWindowMs: KAFKA_LIMITS.defaultBatchingWindowMs };
};

const resolveStartingPosition = (
  fnKey: string,
  event: MappingEvent,
): Pick<EventSourceMapping, 'startingPosition' | 'startingPositionTimestampMs'> => {
  const startingPosition = event.startingPosition ?? StartingPosition.TrimHorizon;
  if (!isStartingPosition(startingPosition)) {
    throw new MappingConfigError(
      fnKey,
      'StartingPosition',
      `must be TRIM_HORIZON, LATEST or AT_TIMESTAMP, got "${startingPosition}"`,
    );
  }
  if (startingPosition !== StartingPosition.AtTimestamp) {
    return { startingPosition, startingPositionTimestampMs: undefined };
  }
  if (event.startingPositionTimestamp === undefined) {
    throw new MappingConfigError(fnKey, 'StartingPositionTimestamp', 'is required with AT_TIMESTAMP');
  }
  // The API takes Unix seconds (a Double).
  return {
    startingPosition,
    startingPositionTimestampMs: Math.round(event.startingPositionTimestamp * 1000),
  };
};

const resolveFilterCriteria = (
  fnKey: string,
  patterns: unknown[] | undefined,
): FilterCriteria | undefined => {
  if (patterns === undefined) return undefined;
  try {
    return compileFilterCriteria(patterns);
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      throw new MappingConfigError(fnKey, 'FilterCriteria', error.message, { cause: error });
    }
    throw error;
  }
};

/** DestinationConfig.OnFailure: the topic of a `kafka://` destination; others are only logged. */
const resolveOnFailureTopic = (
  fnKey: string,
  event: MappingEvent,
  extras: EsmExtras,
  warnings: string[],
): string | undefined => {
  const destination = event.onFailureDestination ?? extras.onFailureDestination;
  if (destination === undefined) return undefined;
  if (!destination.startsWith('kafka://')) {
    warnings.push(
      `function "${fnKey}": on-failure destination ${destination} is not emulated (only kafka://<topic> is); failed records are logged`,
    );
    return undefined;
  }
  const topic = destination.slice('kafka://'.length);
  if (topic === '') throw new MappingConfigError(fnKey, 'DestinationConfig.OnFailure', 'names no topic');
  if (topic === event.topic) {
    // "Lambda prevents infinite loops by blocking configurations where the source and destination topics are the same."
    throw new MappingConfigError(fnKey, 'DestinationConfig.OnFailure', 'cannot be the source topic');
  }
  return topic;
};

interface ErrorHandling {
  readonly responseTypes: readonly string[];
  readonly maximumRetryAttempts: number;
  /** As configured: -1 or seconds. */
  readonly recordAge: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** MaximumRetryAttempts was set to something other than -1 (before the destination's cap). */
  readonly retriesSet: boolean;
}

/** FunctionResponseTypes, MaximumRetryAttempts, MaximumRecordAgeInSeconds, BisectBatchOnFunctionError. */
const resolveErrorHandling = (
  fnKey: string,
  event: MappingEvent,
  extras: EsmExtras,
  onFailureTopic: string | undefined,
): ErrorHandling => {
  const responseTypes = event.functionResponseTypes ?? extras.functionResponseTypes ?? [];
  for (const type of responseTypes) {
    if (type !== 'ReportBatchItemFailures') {
      throw new MappingConfigError(
        fnKey,
        'FunctionResponseTypes',
        `only supports ReportBatchItemFailures, got "${type}"`,
      );
    }
  }
  const retries = integerIn(
    fnKey,
    'MaximumRetryAttempts',
    event.maximumRetryAttempts ?? extras.maximumRetryAttempts ?? -1,
    -1,
    KAFKA_LIMITS.maxRetryAttempts,
  );
  const recordAge = event.maximumRecordAgeInSeconds ?? extras.maximumRecordAgeInSeconds ?? -1;
  const { minRecordAgeSeconds: min, maxRecordAgeSeconds: max } = KAFKA_LIMITS;
  if (recordAge !== -1 && (!Number.isInteger(recordAge) || recordAge < min || recordAge > max)) {
    throw new MappingConfigError(
      fnKey,
      'MaximumRecordAgeInSeconds',
      `must be -1 or an integer from ${min} to ${max}, got ${recordAge}`,
    );
  }
  return {
    responseTypes,
    maximumRetryAttempts:
      retries === -1 && onFailureTopic !== undefined ? KAFKA_LIMITS.retryAttemptsWithDestination : retries,
    recordAge,
    bisectBatchOnFunctionError:
      event.bisectBatchOnFunctionError ?? extras.bisectBatchOnFunctionError ?? false,
    retriesSet: retries !== -1,
  };
};

// https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html: MinimumPollers 1–200,
// MaximumPollers 1–2,000 and ≥ MinimumPollers.
const resolvePollers = (
  fnKey: string,
  poller: EsmExtras['provisionedPollerConfig'] | undefined,
): Pick<EventSourceMapping, 'scalingMode' | 'minimumPollers' | 'maximumPollers'> => {
  if (poller === undefined || poller === null) {
    return { scalingMode: ScalingMode.OnDemand, minimumPollers: 1, maximumPollers: Number.POSITIVE_INFINITY };
  }
  const minimumPollers = integerIn(
    fnKey,
    'ProvisionedPollerConfig.MinimumPollers',
    poller.minimumPollers ?? POLLER_LIMITS.defaultMinimumPollers,
    POLLER_LIMITS.minMinimumPollers,
    POLLER_LIMITS.maxMinimumPollers,
  );
  const maximumPollers = integerIn(
    fnKey,
    'ProvisionedPollerConfig.MaximumPollers',
    poller.maximumPollers ?? POLLER_LIMITS.defaultMaximumPollers,
    POLLER_LIMITS.minMaximumPollers,
    POLLER_LIMITS.maxMaximumPollers,
  );
  if (maximumPollers < minimumPollers) {
    throw new MappingConfigError(
      fnKey,
      'ProvisionedPollerConfig.MaximumPollers',
      `must be at least MinimumPollers (${minimumPollers}), got ${maximumPollers}`,
    );
  }
  return { scalingMode: ScalingMode.Provisioned, minimumPollers, maximumPollers };
};

/**
 * The error-handling controls, the Kafka on-failure destination and a batching window of 0
 * (low latency) are provisioned-mode features: the console offers them under "Event poller
 * configuration → Provisioned mode" (kafka-retry-configurations.html,
 * with-kafka-low-latency.html) and every documented example sets --provisioned-poller-config
 * (kafka-on-failure-destination.html). An on-demand mapping asking for one is refused.
 */
const checkOnDemand = (
  fnKey: string,
  handling: ErrorHandling,
  onFailureTopic: string | undefined,
  windowZero: boolean,
): void => {
  const provisionedOnly: Array<[string, boolean]> = [
    ['MaximumRetryAttempts', handling.retriesSet && onFailureTopic === undefined],
    ['MaximumRecordAgeInSeconds', handling.recordAge !== -1],
    ['BisectBatchOnFunctionError', handling.bisectBatchOnFunctionError],
    ['FunctionResponseTypes', handling.responseTypes.length > 0],
    ['DestinationConfig.OnFailure', onFailureTopic !== undefined],
    ['MaximumBatchingWindowInSeconds', windowZero],
  ];
  for (const [setting, used] of provisionedOnly) {
    if (used) {
      throw new MappingConfigError(
        fnKey,
        setting,
        'is only accepted in provisioned mode (set custom.esm.<function>.provisionedPollerConfig)',
      );
    }
  }
};

// AWS::Lambda::EventSourceMapping's resource schema (the CloudFormation registry, as cfn-lint
// ships it): PollerGroupName ≤ 128 characters of [a-zA-Z0-9-_]; MetricsConfig.Metrics 0–3
// distinct values of EventCount | ErrorCount | KafkaMetrics; LoggingConfig.SystemLogLevel
// DEBUG | INFO | WARN (https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html,
// API_EventSourceMappingMetricsConfig.html, API_EventSourceMappingLoggingConfig.html).
const POLLER_GROUP_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

const resolvePollerGroupName = (fnKey: string, name: string | undefined): string | undefined => {
  if (name === undefined || name === '') return undefined;
  if (!POLLER_GROUP_NAME.test(name)) {
    throw new MappingConfigError(
      fnKey,
      'ProvisionedPollerConfig.PollerGroupName',
      `must be 1–128 characters of [a-zA-Z0-9-_], got "${name}"`,
    );
  }
  return name;
};

const isMetricGroup = (value: string): value is MetricGroup =>
  (Object.values(MetricGroup) as string[]).includes(value);

const resolveMetricsConfig = (fnKey: string, config: EsmExtras['metricsConfig']): readonly MetricGroup[] => {
  const metrics = config?.metrics ?? [];
  const groups: MetricGroup[] = [];
  for (const [index, value] of metrics.entries()) {
    if (!isMetricGroup(value)) {
      throw new MappingConfigError(
        fnKey,
        `MetricsConfig.Metrics[${index}]`,
        `must be one of ${Object.values(MetricGroup).join(', ')}, got "${value}"`,
      );
    }
    if (groups.includes(value)) {
      throw new MappingConfigError(fnKey, `MetricsConfig.Metrics[${index}]`, `repeats "${value}"`);
    }
    groups.push(value);
  }
  return groups;
};

const isSystemLogLevel = (value: string): value is SystemLogLevel =>
  (Object.values(SystemLogLevel) as string[]).includes(value);

const resolveLoggingConfig = (
  fnKey: string,
  config: EsmExtras['loggingConfig'],
  mode: ScalingMode,
): SystemLogLevel | undefined => {
  if (config === undefined) return undefined;
  const level = config.systemLogLevel;
  if (!isSystemLogLevel(level)) {
    throw new MappingConfigError(
      fnKey,
      'LoggingConfig.SystemLogLevel',
      `must be one of ${Object.values(SystemLogLevel).join(', ')}, got "${level}"`,
    );
  }
  // "This feature is only available for Kafka event source mappings, and with Provisioned mode"
  // (https://docs.aws.amazon.com/lambda/latest/dg/esm-logging.html).
  if (mode !== ScalingMode.Provisioned) {
    throw new MappingConfigError(
      fnKey,
      'LoggingConfig',
      'is only accepted in provisioned mode (set custom.esm.<function>.provisionedPollerConfig)',
    );
  }
  return level;
};

/** The mapping's SourceAccessConfigurations as osls would deploy them (custom.esm's replace the event's). */
const sourceAccessEntries = (fnKey: string, event: MappingEvent, extras: EsmExtras): readonly unknown[] => {
  if (extras.sourceAccessConfigurations !== undefined) return extras.sourceAccessConfigurations;
  if ('saslScram512' in event && event.saslScram512 !== undefined) {
    if (typeof event.saslScram512 !== 'string') {
      throw new MappingConfigError(fnKey, 'saslScram512', 'does not resolve to a secret ARN locally');
    }
    return [{ Type: 'SASL_SCRAM_512_AUTH', URI: event.saslScram512 }];
  }
  return event.accessConfigurations === undefined
    ? []
    : fromKafkaAccessConfigurations(fnKey, event.accessConfigurations);
};

/**
 * A poller group holds at most 100 mappings, whose MaximumPollers add up to at most 2,000
 * (API_ProvisionedPollerConfig: "You can group up to 100 ESMs per poller group and aggregate
 * maximum pollers across all ESMs in a group cannot exceed 2000").
 */
const checkPollerGroups = (mappings: readonly EventSourceMapping[]): void => {
  const members = new Map<string, EventSourceMapping[]>();
  for (const mapping of mappings) {
    if (mapping.pollerGroupName === undefined) continue;
    const group = members.get(mapping.pollerGroupName) ?? [];
    group.push(mapping);
    members.set(mapping.pollerGroupName, group);
    const pollers = group.reduce((sum, member) => sum + member.maximumPollers, 0);
    if (group.length > POLLER_LIMITS.maxMappingsPerGroup) {
      throw new MappingConfigError(
        mapping.functionKey,
        'ProvisionedPollerConfig.PollerGroupName',
        `"${mapping.pollerGroupName}" already holds ${POLLER_LIMITS.maxMappingsPerGroup} event source mappings`,
      );
    }
    if (pollers > POLLER_LIMITS.maxPollersPerGroup) {
      throw new MappingConfigError(
        mapping.functionKey,
        'ProvisionedPollerConfig.PollerGroupName',
        `"${mapping.pollerGroupName}": the MaximumPollers of its mappings add up to ${pollers}, more than ${POLLER_LIMITS.maxPollersPerGroup}`,
      );
    }
  }
};

/**
 * Turns a resolved serverless configuration (the JSON of `serverless print`) into the
 * functions and their enabled Kafka/MSK mappings.
 *
 * @throws {MappingConfigError} naming the function and the setting, for any mapping AWS would reject.
 */
export const resolveServerlessConfig = (raw: unknown): ResolvedService => {
  const parsed = ServerlessConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ServerlessConfigError(
      `the serverless configuration is not usable: ${describeIssue(parsed.error)}`,
    );
  }
  const config = parsed.data;
  const service = typeof config.service === 'string' ? config.service : config.service.name;
  const stage = config.provider.stage ?? 'dev';
  const warnings: string[] = [];
  const functions = new Map<string, FunctionDefinition>();
  const mappings: EventSourceMapping[] = [];

  for (const [key, fn] of Object.entries(config.functions ?? {})) {
    const definition = resolveFunction(key, fn, config, service, stage, warnings);
    functions.set(key, definition);

    const extrasRaw = config.custom?.esm?.[key] ?? {};
    const extras = EsmExtrasSchema.safeParse(extrasRaw);
    if (!extras.success) throw new MappingConfigError(key, `custom.esm.${key}`, describeIssue(extras.error));

    for (const [index, event] of (fn.events ?? []).entries()) {
      const kind = 'kafka' in event ? 'SelfManagedKafka' : 'msk' in event ? 'aws:kafka' : undefined;
      if (kind === undefined) continue;
      const body = kind === 'SelfManagedKafka' ? event.kafka : event.msk;
      const schema = kind === 'SelfManagedKafka' ? KafkaEventSchema : MskEventSchema;
      const eventConfig = schema.safeParse(body);
      if (!eventConfig.success) {
        throw new MappingConfigError(key, `events[${index}]`, describeIssue(eventConfig.error));
      }
      if (eventConfig.data.enabled === false) continue;
      const seed = `${service}:${stage}:${key}:${index}:${eventConfig.data.topic}`;
      const mapping = resolveMapping(key, kind, eventConfig.data, extras.data, seed, warnings);
      const arn = 'arn' in eventConfig.data ? eventConfig.data.arn : undefined;
      mappings.push(
        kind === 'aws:kafka'
          ? {
              ...mapping,
              eventSourceArn:
                typeof arn === 'string'
                  ? arn
                  : `arn:aws:kafka:${definition.region}:000000000000:cluster/local/${mapping.uuid}`,
            }
          : mapping,
      );
    }
  }

  const groups = new Map<string, string>();
  for (const mapping of mappings) {
    const other = groups.get(mapping.consumerGroupId);
    if (other !== undefined) {
      // "The consumer group ID that you specify must be unique among all your Kafka event sources."
      throw new MappingConfigError(
        mapping.functionKey,
        'ConsumerGroupId',
        `"${mapping.consumerGroupId}" is already used by function "${other}"`,
      );
    }
    groups.set(mapping.consumerGroupId, mapping.functionKey);
  }
  checkPollerGroups(mappings);
  return { service, stage, functions, mappings, warnings };
};
