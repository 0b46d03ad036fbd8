/**
 * Offline checks of the deployment: `sls package` for the Confluent Cloud and the Amazon MSK
 * stage with no AWS account and no network, assertions on the CloudFormation it generates,
 * cfn-lint and checkov (with resources/checkov-skips.yml) on both templates, and the packaged
 * bundles loading as Lambda loads them.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { createTestTopic, testBrokers } from '../helpers.ts';
import {
  type CheckovFinding,
  cfnLint,
  checkov,
  extractZip,
  importBundle,
  loadCheckovSkips,
  missingHandlers,
  type PackagedStage,
  type PolicyStatement,
  packageStage,
  policyStatements,
  resourcesOf,
  SENTINEL_SECRET,
  serverless,
  skipCovers,
  type Template,
} from './package-helpers.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clickstream/confluent-AbCdEf';
const CLUSTER_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/clickstream/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e-2';
const CONFLUENT_PARAMS = {
  kafkaBootstrapServers: 'pkc-12345.eu-west-1.aws.confluent.cloud:9092',
  kafkaSecretArn: SECRET_ARN,
};
const MSK_PARAMS = {
  kafkaBootstrapServers: 'b-1.clickstream.abc123.c2.kafka.eu-west-1.amazonaws.com:9098',
  mskClusterArn: CLUSTER_ARN,
  mskSubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  mskSecurityGroupIds: 'sg-0123456789abcdef0',
  // A parameter overrides its default: the consumer group id is configurable per function.
  enrichConsumerGroupId: 'enrich-sessions-blue',
};

/** The stage parameter that turns provisioned event pollers on, with the controls it unlocks. */
const PROVISIONED_PARAMS = { esmScalingMode: 'provisioned', aggregateMaximumPollers: '4' };

/** A Confluent Schema Registry for the aggregation's mapping (provisioned mode only). */
const SCHEMA_REGISTRY_PARAMS = {
  schemaRegistry: 'confluent',
  schemaRegistryUrl: 'https://psrc-12345.eu-west-1.aws.confluent.cloud',
  schemaRegistrySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clickstream/registry-AbCdEf',
};

/** The Properties provisioned mode adds to each function's mapping (resources/esm-provisioned.yml). */
const PROVISIONED_MAPPINGS = {
  'aggregate-events': { MinimumPollers: 1, MaximumPollers: 4 },
  'enrich-sessions': { MinimumPollers: 1, MaximumPollers: 2 },
  'segment-stats': { MinimumPollers: 1, MaximumPollers: 2 },
} as const;

/**
 * `--param` values are strings and reach the template as such ("4"); CloudFormation converts
 * them for Integer properties. Compares them as numbers.
 */
const numeric = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v,
  );

/** Mapping properties only provisioned mode accepts. */
const PROVISIONED_ONLY = [
  'ProvisionedPollerConfig',
  'LoggingConfig',
  'MaximumRetryAttempts',
  'MaximumRecordAgeInSeconds',
  'BisectBatchOnFunctionError',
  'FunctionResponseTypes',
  'DestinationConfig',
] as const;

/** What each function's mapping must say, per stage. */
const EXPECTED_MAPPINGS = {
  'aggregate-events': { topic: 'clickstream-events', batchSize: 10000, window: 5 },
  'enrich-sessions': { topic: 'clickstream-user-sessions', batchSize: 100, window: 1 },
  'segment-stats': { topic: 'clickstream-segment-stats', batchSize: 100, window: 1 },
} as const;

const FUNCTION_LOGICAL_IDS = {
  'aggregate-events': 'AggregateDasheventsLambdaFunction',
  'enrich-sessions': 'EnrichDashsessionsLambdaFunction',
  'segment-stats': 'SegmentDashstatsLambdaFunction',
} as const;

/** Each function's own role (resources/iam-roles.yml), with the DynamoDB actions its store sends and on which table. */
const FUNCTION_ROLES = {
  'aggregate-events': {
    role: 'AggregateEventsRole',
    table: 'AnalyticsTable',
    dynamodb: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    reads: 'clickstream-events',
    writes: ['clickstream-dlq'],
  },
  'enrich-sessions': {
    role: 'EnrichSessionsRole',
    table: 'UserProfilesTable',
    dynamodb: ['dynamodb:BatchGetItem'],
    reads: 'clickstream-user-sessions',
    writes: ['clickstream-cart-abandoned', 'clickstream-dlq', 'clickstream-sessions-enriched'],
  },
  'segment-stats': {
    role: 'SegmentStatsRole',
    table: 'AnalyticsTable',
    dynamodb: ['dynamodb:PutItem'],
    reads: 'clickstream-segment-stats',
    writes: ['clickstream-dlq'],
  },
} as const;

/** The IAM statements of one role's inline policies. */
const roleStatements = (template: Template, role: string): PolicyStatement[] =>
  policyStatements({ ...template, Resources: { [role]: template.Resources[role] ?? { Type: 'missing' } } });

/** The actions a set of statements grants, with a prefix, sorted. */
const actionsOf = (statements: readonly PolicyStatement[], prefix: string): string[] =>
  statements
    .flatMap((statement) => [statement.Action].flat())
    .filter((action) => action.startsWith(prefix))
    .sort();

/** The logical id of a function's mapping starts like its function's: `segment-stats` → `SegmentDashstats`. */
const mappingPrefix = (fn: string): string =>
  FUNCTION_LOGICAL_IDS[fn as keyof typeof FUNCTION_LOGICAL_IDS].replace(/LambdaFunction$/, '');

// The Fn::Sub variable the MSK policy's topic and group ARNs use for `<cluster name>/<uuid>`.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub variable, not a template literal
const CLUSTER = '${Cluster}';

// A topic name in an MSK statement's Fn::Sub ARN, `…:topic/${Cluster}/<name>`.
const TOPIC_IN_SUB = /:topic\/\$\{Cluster\}\/([a-z-]+)/g;

// Actions on data or secrets: none may be granted on every resource.
const DATA_ACTION = /^(dynamodb|kafka-cluster|kafka|secretsmanager|kms|sns|sqs|s3):/;

/** The four stages the tests read, packaged once before them (see {@link packageAllStages}). */
interface Packaged {
  confluent: PackagedStage;
  msk: PackagedStage;
  confluentProvisioned: PackagedStage;
  mskProvisioned: PackagedStage;
  /** The on-demand stages, by name. */
  readonly stages: () => readonly [readonly ['confluent', PackagedStage], readonly ['msk', PackagedStage]];
}

/**
 * Packages the Confluent and MSK stages, on demand and provisioned, before the tests of the
 * enclosing describe, and removes them after; the fields are filled once `beforeAll` has run.
 */
const packageAllStages = (): Packaged => {
  const packaged = {
    stages: () =>
      [
        ['confluent', packaged.confluent],
        ['msk', packaged.msk],
      ] as const,
  } as Packaged;
  const packageDirs: string[] = [];

  beforeAll(async () => {
    // One after the other: both use serverless-esbuild's work folder in the repository.
    packaged.confluent = await packageStage('confluent', CONFLUENT_PARAMS);
    packageDirs.push(packaged.confluent.dir);
    packaged.msk = await packageStage('msk', MSK_PARAMS);
    packageDirs.push(packaged.msk.dir);
    packaged.confluentProvisioned = await packageStage('confluent', {
      ...CONFLUENT_PARAMS,
      ...PROVISIONED_PARAMS,
      ...SCHEMA_REGISTRY_PARAMS,
    });
    packageDirs.push(packaged.confluentProvisioned.dir);
    // The low-latency set-up: provisioned mode and a batching window of 0.
    packaged.mskProvisioned = await packageStage('msk', {
      ...MSK_PARAMS,
      ...PROVISIONED_PARAMS,
      ...SCHEMA_REGISTRY_PARAMS,
      aggregateBatchWindow: '0',
    });
    packageDirs.push(packaged.mskProvisioned.dir);
  }, 180_000);

  afterAll(() => {
    for (const dir of packageDirs) rmSync(dir, { recursive: true, force: true });
  });
  return packaged;
};

/** The provisioned event pollers: lint, the controls they unlock, none of them in on-demand mode. */
const provisionedModeTests = (packaged: Packaged): void => {
  it('passes cfn-lint for both stages in provisioned mode', async () => {
    const { confluentProvisioned, mskProvisioned } = packaged;
    const result = await cfnLint([confluentProvisioned.templateFile, mskProvisioned.templateFile]);

    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('keeps on-demand mappings (the default) free of the provisioned-only settings', () => {
    const { stages } = packaged;
    for (const [, stage] of stages()) {
      for (const [, mapping] of resourcesOf(stage.template, 'AWS::Lambda::EventSourceMapping')) {
        for (const property of PROVISIONED_ONLY) expect(mapping).not.toHaveProperty(property);
        expect(mapping).toMatchObject({
          MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
        });
      }
    }
  });

  it('gives every provisioned mapping its pollers, the error-handling controls and the kafka:// on-failure destination', () => {
    const { confluentProvisioned, mskProvisioned } = packaged;
    for (const stage of [confluentProvisioned, mskProvisioned]) {
      const mappings = resourcesOf(stage.template, 'AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(Object.keys(PROVISIONED_MAPPINGS).length);
      for (const [fn, pollers] of Object.entries(PROVISIONED_MAPPINGS)) {
        const [, mapping] = mappings.find(([id]) => id.startsWith(mappingPrefix(fn))) ?? [];
        expect(numeric(mapping)).toMatchObject({
          ProvisionedPollerConfig: {
            ...pollers,
            PollerGroupName: `clickstream-${stage === mskProvisioned ? 'msk' : 'confluent'}`,
          },
          MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
          LoggingConfig: { SystemLogLevel: 'WARN' },
          MaximumRetryAttempts: 10,
          MaximumRecordAgeInSeconds: -1,
          BisectBatchOnFunctionError: false,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          DestinationConfig: { OnFailure: { Destination: 'kafka://clickstream-esm-failures' } },
        });
      }
    }
  });

  it('tells the functions to report failed partitions exactly when their mappings read a partial batch response', () => {
    const { confluent, msk, confluentProvisioned, mskProvisioned } = packaged;
    const cases = [
      [confluent, 'false'],
      [msk, 'false'],
      [confluentProvisioned, 'true'],
      [mskProvisioned, 'true'],
    ] as const;
    for (const [stage, expected] of cases) {
      const functions = resourcesOf(stage.template, 'AWS::Lambda::Function');
      expect(functions).toHaveLength(3);
      for (const [, fn] of functions) {
        expect(fn.Environment).toMatchObject({ Variables: { REPORT_BATCH_ITEM_FAILURES: expected } });
      }
      for (const [, mapping] of resourcesOf(stage.template, 'AWS::Lambda::EventSourceMapping')) {
        expect(mapping.FunctionResponseTypes ?? []).toEqual(
          expected === 'true' ? ['ReportBatchItemFailures'] : [],
        );
      }
    }
  });
};

/** The aggregation mapping's schema registry, and its secret's access. */
const schemaRegistryTests = (packaged: Packaged): void => {
  it('gives the aggregation mapping a SchemaRegistryConfig next to its consumer group when a registry is given, and none otherwise', () => {
    const { confluent, msk, confluentProvisioned, mskProvisioned } = packaged;
    const sourceConfigOf = (stage: PackagedStage, fn: string) => {
      const mappings = resourcesOf(stage.template, 'AWS::Lambda::EventSourceMapping');
      const [, mapping] = mappings.find(([id]) => id.startsWith(mappingPrefix(fn))) ?? [];
      return (mapping as { SelfManagedKafkaEventSourceConfig?: Record<string, unknown> } | undefined)
        ?.SelfManagedKafkaEventSourceConfig;
    };

    expect(sourceConfigOf(confluentProvisioned, 'aggregate-events')).toEqual({
      ConsumerGroupId: 'clickstream-confluent-aggregate-events',
      SchemaRegistryConfig: {
        SchemaRegistryURI: SCHEMA_REGISTRY_PARAMS.schemaRegistryUrl,
        EventRecordFormat: 'JSON',
        SchemaValidationConfigs: [{ Attribute: 'VALUE' }],
        AccessConfigs: [{ Type: 'BASIC_AUTH', URI: SCHEMA_REGISTRY_PARAMS.schemaRegistrySecretArn }],
      },
    });
    const mskAggregate = resourcesOf(mskProvisioned.template, 'AWS::Lambda::EventSourceMapping').find(
      ([id]) => id.startsWith(mappingPrefix('aggregate-events')),
    )?.[1];
    expect(mskAggregate).toMatchObject({
      AmazonManagedKafkaEventSourceConfig: {
        ConsumerGroupId: 'clickstream-msk-aggregate-events',
        SchemaRegistryConfig: { EventRecordFormat: 'JSON' },
      },
    });
    // Only the aggregation mappings of the stages packaged with a registry have one.
    const withRegistry = [confluent, msk, confluentProvisioned, mskProvisioned].flatMap((stage) =>
      resourcesOf(stage.template, 'AWS::Lambda::EventSourceMapping').filter(([, mapping]) =>
        JSON.stringify(mapping).includes('SchemaRegistryConfig'),
      ),
    );
    expect(withRegistry).toHaveLength(2);
    // The aggregation's role may read the registry's secret, and only that role.
    for (const stage of [confluentProvisioned, mskProvisioned]) {
      const policies = resourcesOf(stage.template, 'AWS::IAM::Policy').filter(([id]) =>
        id.startsWith('SchemaRegistrySecretAccess'),
      );
      expect(policies).toHaveLength(1);
      expect(policies[0]?.[1]).toMatchObject({
        Roles: [{ Ref: 'AggregateEventsRole' }],
        PolicyDocument: {
          Statement: [
            {
              Action: ['secretsmanager:GetSecretValue'],
              Resource: SCHEMA_REGISTRY_PARAMS.schemaRegistrySecretArn,
            },
          ],
        },
      });
    }
    for (const stage of [confluent, msk])
      expect(resourcesOf(stage.template, 'AWS::IAM::Policy').map(([id]) => id)).not.toContain(
        'SchemaRegistrySecretAccess',
      );
  });
};

/** The batching window of 0, cfn-lint of both stages, and the Confluent mappings. */
const confluentMappingTests = (packaged: Packaged): void => {
  it('deploys a batching window of 0 in provisioned mode (serverless itself would drop it)', () => {
    const { mskProvisioned } = packaged;
    const mappings = resourcesOf(mskProvisioned.template, 'AWS::Lambda::EventSourceMapping');
    const [, aggregate] = mappings.find(([id]) => id.startsWith(mappingPrefix('aggregate-events'))) ?? [];
    const [, enrich] = mappings.find(([id]) => id.startsWith(mappingPrefix('enrich-sessions'))) ?? [];

    expect(numeric(aggregate)).toMatchObject({ MaximumBatchingWindowInSeconds: 0 });
    expect(numeric(enrich)).toMatchObject({ MaximumBatchingWindowInSeconds: 1 });
  });

  it('passes cfn-lint for both stages', async () => {
    const { confluent, msk } = packaged;
    const result = await cfnLint([confluent.templateFile, msk.templateFile]);

    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('maps the Confluent topics through self-managed Kafka mappings authenticated by the secret ARN', () => {
    const { confluent } = packaged;
    const mappings = resourcesOf(confluent.template, 'AWS::Lambda::EventSourceMapping');

    expect(mappings).toHaveLength(Object.keys(EXPECTED_MAPPINGS).length);
    for (const [fn, expected] of Object.entries(EXPECTED_MAPPINGS)) {
      const [, mapping] = mappings.find(([id]) => id.startsWith(mappingPrefix(fn))) ?? [];
      expect(mapping).toMatchObject({
        FunctionName: {
          'Fn::GetAtt': [FUNCTION_LOGICAL_IDS[fn as keyof typeof FUNCTION_LOGICAL_IDS], 'Arn'],
        },
        Topics: [expected.topic],
        BatchSize: expected.batchSize,
        MaximumBatchingWindowInSeconds: expected.window,
        StartingPosition: 'TRIM_HORIZON',
        SelfManagedEventSource: {
          Endpoints: { KafkaBootstrapServers: [CONFLUENT_PARAMS.kafkaBootstrapServers] },
        },
        SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: `clickstream-confluent-${fn}` },
        SourceAccessConfigurations: [{ Type: 'BASIC_AUTH', URI: SECRET_ARN }],
      });
      // The design retries whole batches (poison records are dead-lettered by the function).
      expect(mapping).not.toHaveProperty('FunctionResponseTypes');
      expect(mapping).not.toHaveProperty('DestinationConfig');
    }
  });
};

/** The MSK mappings, the functions' runtime and their subnets. */
const mskAndFunctionTests = (packaged: Packaged): void => {
  it('maps the MSK topics on the cluster ARN with IAM authentication (no secret)', () => {
    const { msk } = packaged;
    const mappings = resourcesOf(msk.template, 'AWS::Lambda::EventSourceMapping');

    expect(mappings).toHaveLength(Object.keys(EXPECTED_MAPPINGS).length);
    expect(msk.template.Parameters?.MskClusterArn?.Default).toBe(CLUSTER_ARN);
    const groups = {
      'aggregate-events': 'clickstream-msk-aggregate-events',
      'enrich-sessions': 'enrich-sessions-blue',
      'segment-stats': 'clickstream-msk-segment-stats',
    };
    for (const [fn, expected] of Object.entries(EXPECTED_MAPPINGS)) {
      const [, mapping] = mappings.find(([id]) => id.startsWith(mappingPrefix(fn))) ?? [];
      expect(mapping).toMatchObject({
        EventSourceArn: { Ref: 'MskClusterArn' },
        Topics: [expected.topic],
        BatchSize: expected.batchSize,
        MaximumBatchingWindowInSeconds: expected.window,
        StartingPosition: 'TRIM_HORIZON',
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: groups[fn as keyof typeof groups] },
      });
      expect(mapping).not.toHaveProperty('SourceAccessConfigurations');
    }
  });

  it('runs every function on arm64 Node.js 24 within the 14-minute limit of Kafka mappings', () => {
    const { stages } = packaged;
    for (const [, stage] of stages()) {
      for (const [, fn] of resourcesOf(stage.template, 'AWS::Lambda::Function')) {
        expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
        expect(fn.Timeout).toBeLessThanOrEqual(14 * 60);
        expect(fn.MemorySize).toBeGreaterThanOrEqual(512);
      }
    }
  });

  it('puts the MSK functions in the given subnets and the Confluent ones in none', () => {
    const { confluent, msk } = packaged;
    const [, mskFunction] = resourcesOf(msk.template, 'AWS::Lambda::Function')[0] ?? [];
    const [, confluentFunction] = resourcesOf(confluent.template, 'AWS::Lambda::Function')[0] ?? [];

    expect(mskFunction?.VpcConfig).toEqual({
      SubnetIds: { 'Fn::Split': [',', MSK_PARAMS.mskSubnetIds] },
      SecurityGroupIds: { 'Fn::Split': [',', MSK_PARAMS.mskSecurityGroupIds] },
    });
    expect(confluentFunction).not.toHaveProperty('VpcConfig');
  });
};

/** Least privilege: data actions on named resources, MSK roles scoped to topics and group. */
const accessTests = (packaged: Packaged): void => {
  it('grants data actions on named resources only, the secret by its ARN', () => {
    const { confluent, msk, stages } = packaged;
    for (const [name, stage] of stages()) {
      for (const statement of policyStatements(stage.template)) {
        const actions = [statement.Action].flat();
        if (!actions.some((action) => DATA_ACTION.test(action))) continue;
        const resources = [statement.Resource].flat();
        expect(resources, `${name}: ${actions.join(',')}`).not.toContain('*');
        expect(
          actions.some((action) => action.endsWith(':*') || action === '*'),
          name,
        ).toBe(false);
      }
    }
    const secretStatements = policyStatements(confluent.template).filter((statement) =>
      [statement.Action].flat().includes('secretsmanager:GetSecretValue'),
    );
    expect(secretStatements.length).toBeGreaterThan(0);
    for (const statement of secretStatements) expect(statement.Resource).toEqual([SECRET_ARN]);
    expect(JSON.stringify(policyStatements(msk.template))).not.toContain('secretsmanager');
  });

  it("scopes each MSK role to the cluster, its function's topics and its consumer group", () => {
    const { msk } = packaged;
    const groups = {
      'aggregate-events': 'clickstream-msk-aggregate-events',
      'enrich-sessions': 'enrich-sessions-blue',
      'segment-stats': 'clickstream-msk-segment-stats',
    } as const;
    for (const [fn, expected] of Object.entries(FUNCTION_ROLES)) {
      const statements = roleStatements(msk.template, expected.role);
      const byAction = (action: string) =>
        statements.filter((statement) => [statement.Action].flat().includes(action));

      expect(byAction('kafka-cluster:ReadData'), fn).toHaveLength(1);
      const topics = (action: string) =>
        [...JSON.stringify(byAction(action)[0]?.Resource).matchAll(TOPIC_IN_SUB)]
          .map((match) => match[1])
          .sort();
      expect(topics('kafka-cluster:ReadData'), fn).toEqual([expected.reads]);
      expect(topics('kafka-cluster:WriteData'), fn).toEqual([...expected.writes]);
      const group = JSON.stringify(byAction('kafka-cluster:AlterGroup')[0]?.Resource);
      expect(group).toContain(`:group/${CLUSTER}/${groups[fn as keyof typeof groups]}`);
      expect([...group.matchAll(/:group\//g)]).toHaveLength(1);
      expect(byAction('kafka-cluster:Connect')[0]?.Resource).toEqual([{ Ref: 'MskClusterArn' }]);
    }
  });
};

/** Secrets out of templates and functions; one role per function with only its actions. */
const roleAndSecretTests = (packaged: Packaged): void => {
  it('keeps secrets out of the templates and the functions: the Confluent ones get the secret ARN, read at init', () => {
    const { confluent, stages } = packaged;
    for (const [, stage] of stages()) {
      expect(readFileSync(stage.templateFile, 'utf8')).not.toContain(SENTINEL_SECRET);
      expect(readFileSync(stage.templateFile, 'utf8')).not.toContain('{{resolve:');
      for (const [, fn] of resourcesOf(stage.template, 'AWS::Lambda::Function')) {
        expect(JSON.stringify(fn.Environment)).not.toMatch(/KAFKA_SASL_(USERNAME|PASSWORD)/);
      }
    }
    for (const [, fn] of resourcesOf(confluent.template, 'AWS::Lambda::Function')) {
      expect(fn.Environment).toMatchObject({
        Variables: { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_SECRET_ARN: SECRET_ARN },
      });
    }
  });

  it('gives each function its own role with only its own actions', () => {
    const { stages } = packaged;
    for (const [name, stage] of stages()) {
      expect(stage.template.Resources).not.toHaveProperty('IamRoleLambdaExecution');
      // Lambda's roles; the MSK stage's Managed Flink application has its own (checked below).
      const lambdaRoles = resourcesOf(stage.template, 'AWS::IAM::Role').filter(([, role]) =>
        JSON.stringify(role.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'),
      );
      expect(lambdaRoles).toHaveLength(Object.keys(FUNCTION_ROLES).length);
      for (const [fn, expected] of Object.entries(FUNCTION_ROLES)) {
        const logicalId = FUNCTION_LOGICAL_IDS[fn as keyof typeof FUNCTION_LOGICAL_IDS];
        const statements = roleStatements(stage.template, expected.role);

        expect(stage.template.Resources[logicalId]?.Properties?.Role, `${name} ${fn}`).toEqual({
          'Fn::Sub': `\${${expected.role}.Arn}`,
        });
        expect(actionsOf(statements, 'dynamodb:'), `${name} ${fn}`).toEqual([...expected.dynamodb]);
        const dynamodb = statements.filter((statement) =>
          [statement.Action].flat()[0]?.startsWith('dynamodb:'),
        );
        for (const statement of dynamodb) {
          expect(statement.Resource).toEqual([{ 'Fn::GetAtt': [expected.table, 'Arn'] }]);
        }
        expect(actionsOf(statements, 'logs:')).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
        expect(JSON.stringify(statements)).toContain(logicalId.replace(/LambdaFunction$/, 'LogGroup'));
        expect(actionsOf(statements, 'xray:')).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      }
    }
  });
};

/** X-Ray, the Managed Flink application, the deployment bucket. */
const tracingFlinkAndBucketTests = (packaged: Packaged): void => {
  it('traces every function with X-Ray (active tracing, sampled by the default rule)', () => {
    const { stages } = packaged;
    for (const [, stage] of stages()) {
      for (const [, fn] of resourcesOf(stage.template, 'AWS::Lambda::Function')) {
        expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
      }
    }
  });

  it('runs the Flink state on Managed Service for Apache Flink on MSK only, when its jar is given', () => {
    const { confluent, msk } = packaged;
    const [, app] = resourcesOf(msk.template, 'AWS::KinesisAnalyticsV2::Application')[0] ?? [];
    expect(app).toMatchObject({
      RuntimeEnvironment: 'FLINK-2_2',
      ServiceExecutionRole: { 'Fn::GetAtt': ['FlinkApplicationRole', 'Arn'] },
    });
    expect(JSON.stringify(app)).toContain('AWS_MSK_IAM');
    expect(JSON.stringify(app)).toContain('VpcConfigurations');
    expect(msk.template.Resources.FlinkApplication?.Condition).toBe('ManagedFlink');
    expect(
      resourcesOf(msk.template, 'AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption'),
    ).toHaveLength(1);
    expect(resourcesOf(confluent.template, 'AWS::KinesisAnalyticsV2::Application')).toEqual([]);
  });

  it('blocks all public access to the deployment bucket and requires TLS', () => {
    const { stages } = packaged;
    for (const [, stage] of stages()) {
      const [, bucket] = resourcesOf(stage.template, 'AWS::S3::Bucket')[0] ?? [];
      const [, policy] = resourcesOf(stage.template, 'AWS::S3::BucketPolicy')[0] ?? [];

      expect(bucket).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
      expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":false');
    }
  });
};

/** checkov against the commented skips, and the tables. */
const checkovAndTableTests = (packaged: Packaged): void => {
  it('reports no checkov finding on either template beyond the commented skips, and no stale skip', async () => {
    const { stages } = packaged;
    const skips = loadCheckovSkips();
    const findings: CheckovFinding[] = [];
    for (const [name, stage] of stages()) {
      const stageFindings = await checkov(stage.templateFile);
      findings.push(...stageFindings);

      const unskipped = stageFindings.filter((finding) => !skips.some((skip) => skipCovers(skip, finding)));
      expect(unskipped, name).toEqual([]);
    }
    const stale = skips.filter((skip) => !findings.some((finding) => skipCovers(skip, finding)));
    expect(stale.map((skip) => skip.id)).toEqual([]);
  }, 180_000);

  it('creates the tables of resources/dynamodb-tables.yml on demand, with TTL, no secondary index, PITR on the profiles', () => {
    const { confluent } = packaged;
    const tables = Object.fromEntries(resourcesOf(confluent.template, 'AWS::DynamoDB::Table'));

    expect(tables.AnalyticsTable).toMatchObject({
      TableName: 'clickstream-confluent-analytics',
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(tables.AnalyticsTable).not.toHaveProperty('GlobalSecondaryIndexes');
    expect(tables.UserProfilesTable).toMatchObject({
      TableName: 'clickstream-confluent-user-profiles',
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
};

/** Alarms, log retention and the outputs the dashboard reads. */
const alarmAndOutputTests = (packaged: Packaged): void => {
  it("alarms on each function's offset lag and dead letters, each mapping's failed and dropped records, and keeps logs 14 days", () => {
    const { stages } = packaged;
    for (const [, stage] of stages()) {
      const alarms = resourcesOf(stage.template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm);
      for (const logicalId of Object.values(FUNCTION_LOGICAL_IDS)) {
        const onFunction = alarms.filter((alarm) =>
          JSON.stringify(alarm.Dimensions).includes(`"${logicalId}"`),
        );
        expect(onFunction.map((alarm) => alarm.MetricName).sort()).toEqual(['OffsetLag']);
      }
      for (const [mappingId] of resourcesOf(stage.template, 'AWS::Lambda::EventSourceMapping')) {
        const onMapping = alarms.filter((alarm) =>
          JSON.stringify(alarm.Dimensions).includes(`"${mappingId}"`),
        );
        expect(onMapping.map((alarm) => [alarm.Namespace, alarm.MetricName]).sort()).toEqual([
          ['AWS/Lambda', 'DroppedEventCount'],
          ['AWS/Lambda', 'FailedInvokeEventCount'],
        ]);
        for (const alarm of onMapping) {
          expect(alarm.Dimensions).toEqual([{ Name: 'EventSourceMappingUUID', Value: { Ref: mappingId } }]);
        }
      }
      expect(alarms.map((alarm) => alarm.MetricName)).toEqual(
        expect.arrayContaining(['PoisonRecords', 'SessionsDeadLettered']),
      );
      for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
      for (const [, group] of resourcesOf(stage.template, 'AWS::Logs::LogGroup')) {
        expect(group.RetentionInDays).toBe(14);
      }
    }
  });

  it('outputs what the dashboard needs: region and table names', () => {
    const { confluent } = packaged;
    expect(confluent.template.Outputs).toMatchObject({
      Region: { Value: { Ref: 'AWS::Region' } },
      AnalyticsTableName: { Value: { Ref: 'AnalyticsTable' } },
      UserProfilesTableName: { Value: { Ref: 'UserProfilesTable' } },
    });
  });
};

/** The packaged bundles load as Lambda loads them. */
const bundleTests = (packaged: Packaged): void => {
  it('packages bundles that load as Lambda loads them (ES module, no require)', async () => {
    const { msk } = packaged;
    const dir = await extractZip(join(msk.dir, 'aggregate-events.zip'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));

    // The init reads the dead-letter topic's limits (a missing topic stops the start), so the
    // bundle is loaded against the run's broker and a topic of its own.
    const deadLetters = await createTestTopic(1, 'bundle-dlq');
    const exports = await importBundle(join(dir, 'functions', 'aggregate-events', 'handler.mjs'), {
      AWS_REGION: 'eu-west-1',
      KAFKA_BROKERS: testBrokers().join(','),
      ANALYTICS_TABLE: 'analytics',
      DLQ_TOPIC: deadLetters,
    });

    expect(exports).toEqual(['handler']);
  });
};

const missing = missingHandlers();

describe.skipIf(missing.length > 0)(
  missing.length > 0
    ? `deploy packaging (skipped: ${missing.join(', ')} missing; serverless-esbuild cannot bundle it)`
    : 'deploy packaging',
  () => {
    const packaged = packageAllStages();
    provisionedModeTests(packaged);
    schemaRegistryTests(packaged);
    confluentMappingTests(packaged);
    mskAndFunctionTests(packaged);
    accessTests(packaged);
    roleAndSecretTests(packaged);
    tracingFlinkAndBucketTests(packaged);
    checkovAndTableTests(packaged);
    alarmAndOutputTests(packaged);
    bundleTests(packaged);
  },
);

/** The output of a serverless command that must fail. */
const failureOutput = async (args: readonly string[]): Promise<string> => {
  const failed = await serverless(args).then(
    () => undefined,
    (error: unknown) => z.object({ stdout: z.string(), stderr: z.string() }).parse(error),
  );
  if (failed === undefined) throw new Error(`sls ${args.join(' ')} succeeded; it should have failed`);
  return failed.stdout + failed.stderr;
};

describe('deploy settings at packaging', () => {
  it('stops before packaging when a required setting is missing, naming it', async () => {
    const output = await failureOutput([
      'print',
      '--stage',
      'confluent',
      '--param',
      `kafkaSecretArn=${SECRET_ARN}`,
    ]);

    expect(output).toContain('Missing deploy setting "kafkaBootstrapServers"');
    expect(output).not.toContain('Missing deploy setting "kafkaSecretArn"');
  });

  it('refuses a schema registry without provisioned pollers, naming both settings', async () => {
    const output = await failureOutput([
      'print',
      '--stage',
      'confluent',
      ...Object.entries({ ...CONFLUENT_PARAMS, ...SCHEMA_REGISTRY_PARAMS }).flatMap(([name, value]) => [
        '--param',
        `${name}=${value}`,
      ]),
    ]);

    expect(output).toContain('Deploy setting "schemaRegistry" needs provisioned event pollers');
    expect(output).toContain('--param esmScalingMode=provisioned');
  });

  it('asks for the Kafka provider on a stage that does not imply one', async () => {
    const output = await failureOutput(['print', '--stage', 'prod']);

    expect(output).toContain('Missing deploy setting "kafkaProvider"');
  });
});
