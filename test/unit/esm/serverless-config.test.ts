import { describe, expect, it } from 'vitest';
import { MappingConfigError } from '../../../emulators/esm/errors.ts';
import { resolveServerlessConfig } from '../../../emulators/esm/serverless-config.ts';

/** A resolved configuration shaped like `serverless print --format json` of serverless.yml. */
const printed = (
  kafka: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  service: 'clickstream',
  provider: {
    name: 'aws',
    runtime: 'nodejs20.x',
    stage: 'dev',
    region: 'eu-west-1',
    environment: { SHARED: 'provider', OVERRIDDEN: 'provider' },
  },
  functions: {
    'aggregate-events': {
      handler: 'functions/aggregate-events/handler.handler',
      timeout: 60,
      environment: { OVERRIDDEN: 'function', PORT: 8080 },
      events: [
        {
          kafka: {
            accessConfigurations: {
              saslPlainAuth: ['arn:aws:secretsmanager:us-east-1:000000000000:secret:x'],
            },
            bootstrapServers: ['127.0.0.1:9092'],
            topic: 'clickstream-events',
            ...kafka,
          },
        },
      ],
      name: 'clickstream-dev-aggregate-events',
    },
  },
  ...extra,
});

/** custom.esm for the function, in provisioned mode. */
const provisioned = (esm: Record<string, unknown>, poller: Record<string, unknown> = {}) => ({
  custom: { esm: { 'aggregate-events': { provisionedPollerConfig: poller, ...esm } } },
});

describe('resolveServerlessConfig', () => {
  it("applies Lambda's defaults for Kafka mappings", () => {
    // Act
    const { mappings, functions } = resolveServerlessConfig(printed({}));

    // Assert
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({
      functionKey: 'aggregate-events',
      kind: 'SelfManagedKafka',
      topic: 'clickstream-events',
      batchSize: 100,
      maximumBatchingWindowMs: 500,
      startingPosition: 'TRIM_HORIZON',
      reportBatchItemFailures: false,
      maximumRetryAttempts: -1,
      bisectBatchOnFunctionError: false,
      consumerGroupIdGenerated: true,
    });
    expect(functions.get('aggregate-events')).toMatchObject({
      name: 'clickstream-dev-aggregate-events',
      handlerModule: 'functions/aggregate-events/handler',
      handlerExport: 'handler',
      timeoutSeconds: 60,
      region: 'eu-west-1',
      environment: { SHARED: 'provider', OVERRIDDEN: 'function', PORT: '8080' },
    });
  });

  it('generates a UUID consumer group id that is stable across restarts', () => {
    // Act
    const first = resolveServerlessConfig(printed({})).mappings[0];
    const again = resolveServerlessConfig(printed({})).mappings[0];
    const otherTopic = resolveServerlessConfig(printed({ topic: 'other' })).mappings[0];

    // Assert
    expect(first?.consumerGroupId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(again?.consumerGroupId).toBe(first?.consumerGroupId);
    expect(otherTopic?.consumerGroupId).not.toBe(first?.consumerGroupId);
  });

  it('reads the settings serverless v3 lacks from custom.esm, the event taking precedence', () => {
    // Prepare
    const config = printed(
      {
        consumerGroupId: 'agg',
        maximumRetryAttempts: 3,
        onFailureDestination: 'kafka://clickstream-esm-failures',
      },
      {
        custom: {
          esm: {
            'aggregate-events': {
              functionResponseTypes: ['ReportBatchItemFailures'],
              maximumRetryAttempts: 7,
              bisectBatchOnFunctionError: true,
              provisionedPollerConfig: { minimumPollers: 1, maximumPollers: 3 },
            },
          },
        },
      },
    );

    // Act
    const [mapping] = resolveServerlessConfig(config).mappings;

    // Assert
    expect(mapping).toMatchObject({
      consumerGroupId: 'agg',
      consumerGroupIdGenerated: false,
      reportBatchItemFailures: true,
      maximumRetryAttempts: 3,
      bisectBatchOnFunctionError: true,
      onFailureTopic: 'clickstream-esm-failures',
      scalingMode: 'provisioned',
      minimumPollers: 1,
      maximumPollers: 3,
    });
  });

  it('caps infinite retries at 10 when a Kafka on-failure destination is set', () => {
    // Act
    const [mapping] = resolveServerlessConfig(
      printed({ onFailureDestination: 'kafka://dlt' }, provisioned({})),
    ).mappings;

    // Assert
    expect(mapping?.maximumRetryAttempts).toBe(10);
  });

  it('keeps the 500 ms default for a window of 0, which serverless drops at deploy', () => {
    // Act
    const resolved = resolveServerlessConfig(printed({ maximumBatchingWindow: 0 }));

    // Assert
    expect(resolved.mappings[0]?.maximumBatchingWindowMs).toBe(500);
    expect(resolved.warnings.join('\n')).toMatch(/maximumBatchingWindow 0/);
  });

  it('converts AT_TIMESTAMP seconds to milliseconds', () => {
    // Act
    const [mapping] = resolveServerlessConfig(
      printed({ startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: 1_700_000_000.5 }),
    ).mappings;

    // Assert
    expect(mapping?.startingPositionTimestampMs).toBe(1_700_000_000_500);
  });

  it('describes an MSK event as aws:kafka with its cluster ARN', () => {
    // Prepare
    const config = printed({});
    const fn = (config.functions as Record<string, { events: unknown[] }>)['aggregate-events'];
    if (fn !== undefined) {
      fn.events = [{ msk: { arn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/1', topic: 't' } }];
    }

    // Act
    const [mapping] = resolveServerlessConfig(config).mappings;

    // Assert
    expect(mapping).toMatchObject({
      kind: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/1',
    });
  });

  it('skips disabled mappings', () => {
    expect(resolveServerlessConfig(printed({ enabled: false })).mappings).toEqual([]);
  });

  it.each([
    [{ batchSize: 0 }, 'function "aggregate-events": BatchSize must be an integer from 1 to 10000, got 0'],
    [{ batchSize: 10_001 }, 'BatchSize must be an integer from 1 to 10000'],
    [{ maximumBatchingWindow: 301 }, 'MaximumBatchingWindowInSeconds must be an integer from 0 to 300'],
    [{ maximumBatchingWindow: 1.5 }, 'MaximumBatchingWindowInSeconds must be an integer'],
    [{ startingPosition: 'EARLIEST' }, 'StartingPosition must be TRIM_HORIZON, LATEST or AT_TIMESTAMP'],
    [{ startingPosition: 'AT_TIMESTAMP' }, 'StartingPositionTimestamp is required with AT_TIMESTAMP'],
    [{ consumerGroupId: 'has spaces' }, 'ConsumerGroupId must be 1–200 characters'],
    [
      { filterPatterns: [{ key: ['x'] }] },
      'FilterCriteria filterPatterns[0]: Kafka event source mappings only support',
    ],
    [{ functionResponseTypes: ['Other'] }, 'FunctionResponseTypes only supports ReportBatchItemFailures'],
    [{ maximumRetryAttempts: 10_001 }, 'MaximumRetryAttempts must be an integer from -1 to 10000'],
    [
      { onFailureDestination: 'kafka://clickstream-events' },
      'DestinationConfig.OnFailure cannot be the source topic',
    ],
    [
      { maximumRecordAgeInSeconds: 59 },
      'MaximumRecordAgeInSeconds must be -1 or an integer from 60 to 604800, got 59',
    ],
    [
      { maximumRecordAgeInSeconds: 604_801 },
      'MaximumRecordAgeInSeconds must be -1 or an integer from 60 to 604800',
    ],
  ])('refuses %j naming the function and the setting', (kafka, message) => {
    // Act
    const resolving = () => resolveServerlessConfig(printed(kafka, provisioned({})));

    // Assert
    expect(resolving).toThrow(MappingConfigError);
    expect(resolving).toThrow(message);
  });

  it('reads ProvisionedPollerConfig, MaximumRecordAgeInSeconds and a window of 0 in provisioned mode', () => {
    // Act
    const [mapping] = resolveServerlessConfig(
      printed(
        {},
        provisioned({ maximumRecordAgeInSeconds: 60, maximumBatchingWindow: 0 }, { minimumPollers: 2 }),
      ),
    ).mappings;

    // Assert
    expect(mapping).toMatchObject({
      scalingMode: 'provisioned',
      minimumPollers: 2,
      maximumPollers: 200,
      maximumRecordAgeMs: 60_000,
      maximumBatchingWindowMs: 0,
    });
  });

  it('runs on demand without ProvisionedPollerConfig: one poller to start, no upper bound but the partitions', () => {
    const [mapping] = resolveServerlessConfig(printed({})).mappings;
    expect(mapping).toMatchObject({
      scalingMode: 'on-demand',
      minimumPollers: 1,
      maximumRecordAgeMs: undefined,
    });
  });

  it.each([
    [{ minimumPollers: 0 }, 'ProvisionedPollerConfig.MinimumPollers must be an integer from 1 to 200, got 0'],
    [{ minimumPollers: 201 }, 'ProvisionedPollerConfig.MinimumPollers must be an integer from 1 to 200'],
    [{ maximumPollers: 2001 }, 'ProvisionedPollerConfig.MaximumPollers must be an integer from 1 to 2000'],
    [
      { minimumPollers: 5, maximumPollers: 4 },
      'ProvisionedPollerConfig.MaximumPollers must be at least MinimumPollers (5), got 4',
    ],
  ])('refuses ProvisionedPollerConfig %j naming the setting', (poller, message) => {
    expect(() => resolveServerlessConfig(printed({}, provisioned({}, poller)))).toThrow(message);
  });

  it.each([
    [{ maximumRetryAttempts: 3 }, 'MaximumRetryAttempts'],
    [{ maximumRecordAgeInSeconds: 60 }, 'MaximumRecordAgeInSeconds'],
    [{ bisectBatchOnFunctionError: true }, 'BisectBatchOnFunctionError'],
    [{ functionResponseTypes: ['ReportBatchItemFailures'] }, 'FunctionResponseTypes'],
    [{ maximumBatchingWindow: 0 }, 'MaximumBatchingWindowInSeconds'],
  ])('refuses %j in on-demand mode, as the API does, naming the setting', (esm, setting) => {
    const config = printed({}, { custom: { esm: { 'aggregate-events': esm } } });
    expect(() => resolveServerlessConfig(config)).toThrow(
      `function "aggregate-events": ${setting} is only accepted in provisioned mode`,
    );
  });

  it('refuses a Kafka on-failure destination in on-demand mode', () => {
    expect(() => resolveServerlessConfig(printed({ onFailureDestination: 'kafka://dlt' }))).toThrow(
      'DestinationConfig.OnFailure is only accepted in provisioned mode',
    );
  });

  it('accepts the defaults of the error-handling controls in on-demand mode (serverless.yml spells them out)', () => {
    const config = printed(
      {},
      {
        custom: {
          esm: { 'aggregate-events': { maximumRetryAttempts: -1, bisectBatchOnFunctionError: false } },
        },
      },
    );
    expect(resolveServerlessConfig(config).mappings[0]?.scalingMode).toBe('on-demand');
  });

  it('refuses two mappings sharing a consumer group id', () => {
    // Prepare
    const config = printed({ consumerGroupId: 'shared' });
    const functions = config.functions as Record<string, unknown>;
    functions.other = {
      handler: 'functions/other/handler.handler',
      events: [{ kafka: { topic: 'x', bootstrapServers: ['h:9092'], consumerGroupId: 'shared' } }],
    };

    // Act / Assert
    expect(() => resolveServerlessConfig(config)).toThrow(
      'ConsumerGroupId "shared" is already used by function',
    );
  });
});

describe('resolveServerlessConfig: SchemaRegistryConfig', () => {
  const registry = {
    schemaRegistryURI: 'http://127.0.0.1:8081',
    eventRecordFormat: 'JSON',
    schemaValidationConfigs: [{ attribute: 'VALUE' }],
  };

  it('reads custom.esm.<function>.schemaRegistryConfig onto the mapping in provisioned mode', () => {
    const { mappings } = resolveServerlessConfig(
      printed({}, provisioned({ schemaRegistryConfig: registry })),
    );

    expect(mappings[0]?.schemaRegistry).toEqual({
      uri: 'http://127.0.0.1:8081',
      eventRecordFormat: 'JSON',
      validateKey: false,
      validateValue: true,
    });
  });

  it('stops on-demand mappings and out-of-range settings, naming the setting', () => {
    const onDemand = () =>
      resolveServerlessConfig(
        printed({}, { custom: { esm: { 'aggregate-events': { schemaRegistryConfig: registry } } } }),
      );
    const badFormat = () =>
      resolveServerlessConfig(
        printed({}, provisioned({ schemaRegistryConfig: { ...registry, eventRecordFormat: 'XML' } })),
      );

    expect(onDemand).toThrow(MappingConfigError);
    expect(onDemand).toThrow(
      'function "aggregate-events": SchemaRegistryConfig is only accepted in provisioned mode',
    );
    expect(badFormat).toThrow('SchemaRegistryConfig.EventRecordFormat must be JSON or SOURCE, got "XML"');
  });

  it('has no schema registry by default', () => {
    expect(resolveServerlessConfig(printed({})).mappings[0]?.schemaRegistry).toBeUndefined();
  });
});

describe('resolveServerlessConfig: MetricsConfig, LoggingConfig, PollerGroupName', () => {
  /** `count` functions, each with one kafka mapping in provisioned mode with `poller`. */
  const grouped = (count: number, poller: Record<string, unknown>): Record<string, unknown> => {
    const functions: Record<string, unknown> = {};
    const esm: Record<string, unknown> = {};
    for (let i = 0; i < count; i += 1) {
      functions[`f${i}`] = {
        handler: 'functions/f/handler.handler',
        events: [{ kafka: { topic: `t${i}`, bootstrapServers: ['h:9092'] } }],
      };
      esm[`f${i}`] = { provisionedPollerConfig: poller };
    }
    return { service: 'svc', provider: { name: 'aws', stage: 'dev' }, functions, custom: { esm } };
  };

  it('reads the metric groups, the system log level and the poller group onto the mapping', () => {
    const [mapping] = resolveServerlessConfig(
      printed(
        {},
        provisioned(
          {
            metricsConfig: { metrics: ['EventCount', 'KafkaMetrics'] },
            loggingConfig: { systemLogLevel: 'INFO' },
          },
          { pollerGroupName: 'clickstream-shared_1' },
        ),
      ),
    ).mappings;
    expect(mapping).toMatchObject({
      metrics: ['EventCount', 'KafkaMetrics'],
      systemLogLevel: 'INFO',
      pollerGroupName: 'clickstream-shared_1',
    });
  });

  it('publishes nothing and logs nothing by default, and accepts MetricsConfig on demand', () => {
    const [plain] = resolveServerlessConfig(printed({})).mappings;
    const [onDemand] = resolveServerlessConfig(
      printed(
        {},
        { custom: { esm: { 'aggregate-events': { metricsConfig: { metrics: ['ErrorCount'] } } } } },
      ),
    ).mappings;
    expect(plain).toMatchObject({ metrics: [], systemLogLevel: undefined, pollerGroupName: undefined });
    expect(onDemand?.metrics).toEqual(['ErrorCount']);
  });

  it.each([
    [
      { metricsConfig: { metrics: ['Latency'] } },
      'MetricsConfig.Metrics[0] must be one of EventCount, ErrorCount, KafkaMetrics',
    ],
    [
      { metricsConfig: { metrics: ['EventCount', 'EventCount'] } },
      'MetricsConfig.Metrics[1] repeats "EventCount"',
    ],
    [
      { loggingConfig: { systemLogLevel: 'ERROR' } },
      'LoggingConfig.SystemLogLevel must be one of DEBUG, INFO, WARN',
    ],
  ])('refuses %j naming the setting', (esm, message) => {
    expect(() => resolveServerlessConfig(printed({}, provisioned(esm)))).toThrow(message);
  });

  it('refuses LoggingConfig in on-demand mode, as esm-logging.html says it is provisioned only', () => {
    const config = printed(
      {},
      { custom: { esm: { 'aggregate-events': { loggingConfig: { systemLogLevel: 'WARN' } } } } },
    );
    expect(() => resolveServerlessConfig(config)).toThrow(
      'LoggingConfig is only accepted in provisioned mode',
    );
  });

  it('refuses a poller group name outside [a-zA-Z0-9-_] or longer than 128', () => {
    expect(() => resolveServerlessConfig(printed({}, provisioned({}, { pollerGroupName: 'a b' })))).toThrow(
      'ProvisionedPollerConfig.PollerGroupName must be 1–128 characters of [a-zA-Z0-9-_], got "a b"',
    );
    expect(() =>
      resolveServerlessConfig(printed({}, provisioned({}, { pollerGroupName: 'x'.repeat(129) }))),
    ).toThrow('PollerGroupName must be 1–128 characters');
  });

  it('accepts 100 mappings in a group and refuses the 101st', () => {
    expect(
      resolveServerlessConfig(grouped(100, { pollerGroupName: 'g', maximumPollers: 20 })).mappings,
    ).toHaveLength(100);
    expect(() => resolveServerlessConfig(grouped(101, { pollerGroupName: 'g', maximumPollers: 1 }))).toThrow(
      'function "f100": ProvisionedPollerConfig.PollerGroupName "g" already holds 100 event source mappings',
    );
  });

  it('refuses a group whose MaximumPollers add up to more than 2,000', () => {
    expect(() => resolveServerlessConfig(grouped(3, { pollerGroupName: 'g', maximumPollers: 700 }))).toThrow(
      '"g": the MaximumPollers of its mappings add up to 2100, more than 2000',
    );
    expect(
      resolveServerlessConfig(grouped(3, { pollerGroupName: 'g', maximumPollers: 666 })).mappings,
    ).toHaveLength(3);
  });
});
