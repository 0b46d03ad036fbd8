/**
 * Configuration of Confluent's AWS Lambda Sink connector for this project's functions: the
 * alternative to the Lambda event source mapping in which Kafka Connect, not Lambda, polls
 * the topic and invokes the function. docs/deploy.md ("ESM or Lambda Sink connector") says
 * when to prefer it. Property names follow Confluent's documentation of the connector:
 * https://docs.confluent.io/cloud/current/connectors/cc-aws-lambda-sink.html (fully managed)
 * and https://docs.confluent.io/kafka-connectors/aws-lambda/current/lambda_sink_connector_config.html
 * (self-managed, Confluent Platform).
 */

/** How the connector invokes the function. */
export const InvocationType = {
  /** RequestResponse: in order per partition; the function's result or error is recorded. */
  Sync: 'sync',
  /** Event: fire and forget; Lambda retries twice, then the function's own async destination. */
  Async: 'async',
} as const;
export type InvocationType = (typeof InvocationType)[keyof typeof InvocationType];

/** Where the connector runs. */
export const ConnectorTarget = {
  /** Fully managed on Confluent Cloud (`confluent connect cluster create --config-file`). */
  Cloud: 'cloud',
  /** Self-managed Kafka Connect (Confluent Platform), `PUT /connectors/<name>/config`. */
  Platform: 'platform',
} as const;
export type ConnectorTarget = (typeof ConnectorTarget)[keyof typeof ConnectorTarget];

/** The functions a connector can feed, and the topic each consumes (serverless.yml custom.topics). */
export const SINK_FUNCTIONS = {
  'aggregate-events': 'clickstream-events',
  'enrich-sessions': 'clickstream-user-sessions',
} as const;
export type SinkFunction = keyof typeof SINK_FUNCTIONS;

/**
 * Functions whose effectively-once writes need each partition's records in offset order: the
 * aggregation's watermarks refuse a batch that lands after a later one as already applied.
 * An asynchronous invocation runs out of order ("records may not be processed
 * sequentially": https://docs.confluent.io/kafka-connectors/aws-lambda/current/overview.html),
 * so these take sync only. enrich-sessions de-duplicates by eventId and takes either.
 */
export const IN_ORDER_ONLY: ReadonlySet<SinkFunction> = new Set(['aggregate-events']);

/** Why these options would lose or double-count records, or undefined. */
export const invocationProblem = (
  options: Pick<LambdaSinkOptions, 'function' | 'invocationType'>,
): string | undefined =>
  options.invocationType === InvocationType.Async && IN_ORDER_ONLY.has(options.function)
    ? `${options.function} needs --invocation sync: async invocations run out of order, and its watermarks would refuse a batch that lands after a later one (its events would never be counted)`
    : undefined;

/** What a connector configuration is generated from. */
export interface LambdaSinkOptions {
  readonly target: ConnectorTarget;
  readonly function: SinkFunction;
  readonly stage: string;
  readonly region: string;
  /** A function name, `name:alias`, or full ARN; default `clickstream-<stage>-<function>`. */
  readonly functionName?: string | undefined;
  readonly invocationType: InvocationType;
  /** Records per invocation (the connector's default is 20). */
  readonly batchSize: number;
  /** Self-managed only: where records whose invocation failed go (Kafka Connect's dead-letter queue). */
  readonly errorTopic: string;
  /** Cloud only: the Confluent service account the connector authenticates to Kafka as. */
  readonly serviceAccountId?: string | undefined;
  /** Cloud only: the Confluent provider integration holding the IAM role to assume. */
  readonly providerIntegrationId?: string | undefined;
  readonly tasks: number;
}

/** `{ name, config }`, the shape both Confluent's CLI and the Connect REST API take. */
export interface ConnectorDefinition {
  readonly name: string;
  readonly config: Readonly<Record<string, string>>;
}

/** The connector's name for a function and stage. */
export const connectorName = (options: Pick<LambdaSinkOptions, 'function' | 'stage'>): string =>
  `clickstream-${options.stage}-${options.function}-lambda-sink`;

/**
 * Builds the connector configuration. No credential is written: on Confluent Cloud the
 * connector authenticates as a service account and assumes an IAM role through a provider
 * integration; self-managed, it uses the AWS default credential chain of the Connect worker.
 *
 * @throws {RangeError} for a batch size or task count below 1.
 */
export const lambdaSinkConnector = (options: LambdaSinkOptions): ConnectorDefinition => {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new RangeError(`batch size must be a positive integer, got ${options.batchSize}`);
  }
  if (!Number.isInteger(options.tasks) || options.tasks < 1) {
    throw new RangeError(`tasks must be a positive integer, got ${options.tasks}`);
  }
  const name = connectorName(options);
  const functionName = options.functionName ?? `clickstream-${options.stage}-${options.function}`;
  const common = {
    name,
    topics: SINK_FUNCTIONS[options.function],
    'aws.lambda.function.name': functionName,
    'aws.lambda.invocation.type': options.invocationType,
    'aws.lambda.batch.size': String(options.batchSize),
    'tasks.max': String(options.tasks),
  };
  if (options.target === ConnectorTarget.Cloud) {
    return {
      name,
      config: {
        'connector.class': 'LambdaSink',
        ...common,
        'input.data.format': 'JSON',
        'kafka.auth.mode': 'SERVICE_ACCOUNT',
        'kafka.service.account.id': options.serviceAccountId ?? '',
        'authentication.method': 'IAM Roles',
        'provider.integration.id': options.providerIntegrationId ?? '',
        // The functions dead-letter poison records themselves and throw only what a retry can
        // fix (DynamoDB or Kafka unreachable). `log` would write such a batch to the
        // `error-<connector id>` topic and move on: its events would never be counted. `fail`
        // stops the task instead; restarted, it resumes from its last committed offsets and
        // the watermarks make the redelivery count nothing twice (docs/effectively-once.md).
        'behavior.on.error': 'fail',
      },
    };
  }
  return {
    name,
    config: {
      'connector.class': 'io.confluent.connect.aws.lambda.AwsLambdaSinkConnector',
      ...common,
      'aws.lambda.region': options.region,
      // As on Cloud (above): a function error stops the task rather than skipping the batch.
      'behavior.on.error': 'fail',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      // The value as its text: the function applies its own poison rule to every record (a
      // JsonConverter would stop malformed JSON before the function, on the connector's DLQ).
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      // Kafka Connect's own error handling (KIP-298): records that fail go to the error topic
      // with the reason in headers, and the task keeps running.
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': options.errorTopic,
      'errors.deadletterqueue.context.headers.enable': 'true',
      'errors.log.enable': 'true',
    },
  };
};

/** The settings a Cloud connector cannot be created without, by option name. */
export const missingCloudSettings = (options: LambdaSinkOptions): string[] =>
  options.target === ConnectorTarget.Cloud
    ? [
        ...(options.serviceAccountId ? [] : ['--service-account (CONFLUENT_SERVICE_ACCOUNT_ID)']),
        ...(options.providerIntegrationId
          ? []
          : ['--provider-integration (CONFLUENT_PROVIDER_INTEGRATION_ID)']),
      ]
    : [];
