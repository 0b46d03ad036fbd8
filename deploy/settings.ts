/**
 * The deploy settings: read once from the environment (and `.env`), validated as a whole,
 * so that a missing setting stops `npm run deploy` before anything is created, naming the
 * variable. serverless.yml checks the same settings again at packaging
 * (deploy/required-setting.cjs), for whoever runs `sls deploy` directly.
 */
import { DeploySettingsError } from './errors.ts';

/** Where the Kafka cluster lives; selects resources/kafka-<provider>.yml. */
export const KafkaProvider = {
  Confluent: 'confluent',
  Msk: 'msk',
} as const;
export type KafkaProvider = (typeof KafkaProvider)[keyof typeof KafkaProvider];

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const MSK_CLUSTER_ARN = /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/;
const SUBNET_ID = /^subnet-[a-f0-9]+$/;
const SECURITY_GROUP_ID = /^sg-[a-f0-9]+$/;
const STAGE = /^[a-zA-Z0-9-]{1,20}$/;

const list = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** Optional positive integers passed through to serverless parameters when set. */
const TUNING = {
  AGGREGATE_BATCH_SIZE: 'aggregateBatchSize',
  AGGREGATE_BATCH_WINDOW: 'aggregateBatchWindow',
  ENRICH_BATCH_SIZE: 'enrichBatchSize',
  ENRICH_BATCH_WINDOW: 'enrichBatchWindow',
  LOG_RETENTION_DAYS: 'logRetentionDays',
  AGGREGATE_OFFSET_LAG_THRESHOLD: 'aggregateOffsetLagThreshold',
  ENRICH_OFFSET_LAG_THRESHOLD: 'enrichOffsetLagThreshold',
} as const;

/** Optional strings passed through to serverless parameters when set. */
const NAMES = {
  AGGREGATE_CONSUMER_GROUP_ID: 'aggregateConsumerGroupId',
  ENRICH_CONSUMER_GROUP_ID: 'enrichConsumerGroupId',
  // MSK stage: the Flink SQL runner jar in S3 (resources/managed-flink.yml).
  FLINK_CODE_S3_BUCKET: 'flinkCodeS3Bucket',
  FLINK_CODE_S3_KEY: 'flinkCodeS3Key',
} as const;

/** Connection settings of a Confluent Cloud deployment. */
export interface ConfluentSettings {
  readonly provider: typeof KafkaProvider.Confluent;
  readonly bootstrapServers: readonly string[];
  /** Secrets Manager secret `{"username","password"}` the event source mappings and functions use. */
  readonly secretArn: string;
  /** The API key the deploy itself uses to create topics (may be the same key). */
  readonly apiKey: string;
  readonly apiSecret: string;
}

/** Connection settings of an Amazon MSK deployment (IAM authentication). */
export interface MskSettings {
  readonly provider: typeof KafkaProvider.Msk;
  /** The cluster's IAM bootstrap brokers (port 9098). */
  readonly bootstrapServers: readonly string[];
  readonly clusterArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

/** Everything `npm run deploy` needs, validated. */
export interface DeploySettings {
  readonly stage: string;
  readonly region: string;
  readonly kafka: ConfluentSettings | MskSettings;
  /** Partitions of the topics the deploy creates (and of ksqlDB's outputs). */
  readonly topicPartitions: number;
  /** ksqlDB server to apply the migrations to; none skips that step. */
  readonly ksqldbUrl: string | undefined;
  /** Optional serverless parameters (batch sizes, windows, consumer groups, retention). */
  readonly parameters: Readonly<Record<string, string>>;
}

/** Reads variables and collects every problem, so that all are reported at once. */
class SettingsReader {
  readonly problems: string[] = [];
  readonly #vars: Record<string, string | undefined>;

  constructor(env: Readonly<Record<string, string | undefined>>) {
    // A copy: process.env is an exotic object, and later writes to it must not change these settings.
    this.#vars = { ...env };
  }

  value(name: string): string | undefined {
    const raw = this.#vars[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  }

  required(name: string, what: string): string {
    const found = this.value(name);
    if (found === undefined) this.problems.push(`${name} is required: ${what}`);
    return found ?? '';
  }

  matching(name: string, found: string, pattern: RegExp, shape: string): void {
    if (found !== '' && !pattern.test(found)) this.problems.push(`${name} must be ${shape}, got "${found}"`);
  }
}

const readStage = (reader: SettingsReader, stage: string | undefined): string => {
  const found = stage ?? reader.required('STAGE', 'the stage to deploy (e.g. confluent, msk, prod); --stage');
  if (found === 'local') reader.problems.push('STAGE "local" is the laptop stack and is never deployed');
  else reader.matching('STAGE', found, STAGE, '1–20 letters, digits or dashes');
  return found;
};

const readConfluent = (reader: SettingsReader, bootstrapServers: string[]): ConfluentSettings => {
  // The self-managed Kafka mapping gets the endpoint as one list entry: Confluent Cloud has one.
  if (bootstrapServers.length > 1) {
    reader.problems.push(
      'KAFKA_BOOTSTRAP_SERVERS must be the one bootstrap endpoint of the Confluent cluster',
    );
  }
  const secretArn = reader.required('KAFKA_SECRET_ARN', 'the Secrets Manager secret with the API key');
  reader.matching('KAFKA_SECRET_ARN', secretArn, SECRET_ARN, 'a Secrets Manager secret ARN');
  return {
    provider: KafkaProvider.Confluent,
    bootstrapServers,
    secretArn,
    apiKey: reader.required('KAFKA_SASL_USERNAME', 'the Confluent API key the deploy creates topics with'),
    apiSecret: reader.required('KAFKA_SASL_PASSWORD', "that API key's secret"),
  };
};

const readMsk = (reader: SettingsReader, bootstrapServers: string[]): MskSettings => {
  const clusterArn = reader.required('MSK_CLUSTER_ARN', 'the ARN of the MSK cluster');
  reader.matching(
    'MSK_CLUSTER_ARN',
    clusterArn,
    MSK_CLUSTER_ARN,
    'arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>',
  );
  const subnetIds = list(reader.required('MSK_SUBNET_IDS', 'comma-separated subnets the functions run in'));
  for (const id of subnetIds) reader.matching('MSK_SUBNET_IDS', id, SUBNET_ID, 'subnet ids (subnet-…)');
  const securityGroupIds = list(
    reader.required('MSK_SECURITY_GROUP_IDS', 'comma-separated security groups allowed to reach the brokers'),
  );
  for (const id of securityGroupIds)
    reader.matching('MSK_SECURITY_GROUP_IDS', id, SECURITY_GROUP_ID, 'security group ids (sg-…)');
  return { provider: KafkaProvider.Msk, bootstrapServers, clusterArn, subnetIds, securityGroupIds };
};

/** The cluster: KAFKA_PROVIDER (or a stage named after it) selects what else is required. */
const readKafka = (reader: SettingsReader, stage: string): ConfluentSettings | MskSettings | undefined => {
  const providerRaw =
    reader.value('KAFKA_PROVIDER') ?? (stage === 'confluent' || stage === 'msk' ? stage : undefined);
  const bootstrapRaw = reader.required(
    'KAFKA_BOOTSTRAP_SERVERS',
    providerRaw === KafkaProvider.Msk
      ? "the cluster's IAM bootstrap brokers, host:9098[,host:9098]"
      : 'the bootstrap server, host:port',
  );
  const bootstrapServers = list(bootstrapRaw);
  for (const server of bootstrapServers)
    reader.matching('KAFKA_BOOTSTRAP_SERVERS', server, HOST_PORT, 'host:port');
  if (providerRaw === KafkaProvider.Confluent) return readConfluent(reader, bootstrapServers);
  if (providerRaw === KafkaProvider.Msk) return readMsk(reader, bootstrapServers);
  if (providerRaw === undefined) {
    reader.problems.push('KAFKA_PROVIDER is required unless the stage is confluent or msk: confluent or msk');
  } else {
    reader.problems.push(`KAFKA_PROVIDER must be confluent or msk, got "${providerRaw}"`);
  }
  return undefined;
};

const readTopicPartitions = (reader: SettingsReader): number => {
  const partitionsRaw = reader.value('TOPIC_PARTITIONS') ?? '6';
  const topicPartitions = Number(partitionsRaw);
  if (!Number.isInteger(topicPartitions) || topicPartitions < 1) {
    reader.problems.push(`TOPIC_PARTITIONS must be a positive integer, got "${partitionsRaw}"`);
  }
  return topicPartitions;
};

/** The optional serverless parameters ({@link TUNING}, {@link NAMES}) that are set. */
const readParameters = (reader: SettingsReader): Record<string, string> => {
  const parameters: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(TUNING)) {
    const found = reader.value(name);
    if (found === undefined) continue;
    if (!/^\d+$/.test(found) || Number(found) < 1)
      reader.problems.push(`${name} must be a positive integer, got "${found}"`);
    else parameters[parameter] = found;
  }
  for (const [name, parameter] of Object.entries(NAMES)) {
    const found = reader.value(name);
    if (found === undefined) continue;
    // The consumer group id pattern of CreateEventSourceMapping.
    if (!/^[a-zA-Z0-9\-/*:_+=.@]{1,200}$/.test(found))
      reader.problems.push(`${name} is not a valid consumer group id`);
    else parameters[parameter] = found;
  }
  return parameters;
};

/**
 * Reads and validates the deploy settings. `stage` and `region` given on the command line
 * win over STAGE and AWS_REGION.
 *
 * @throws {DeploySettingsError} naming every missing or invalid setting at once.
 */
export const readDeploySettings = (
  env: Readonly<Record<string, string | undefined>>,
  overrides: { readonly stage?: string | undefined; readonly region?: string | undefined } = {},
): DeploySettings => {
  const reader = new SettingsReader(env);
  const stage = readStage(reader, overrides.stage);
  const region = overrides.region ?? reader.required('AWS_REGION', 'the AWS region to deploy to; --region');
  const kafka = readKafka(reader, stage);
  const topicPartitions = readTopicPartitions(reader);
  const ksqldbUrl = reader.value('KSQLDB_URL');
  if (ksqldbUrl !== undefined && !URL.canParse(ksqldbUrl))
    reader.problems.push(`KSQLDB_URL must be a URL, got "${ksqldbUrl}"`);
  const parameters = readParameters(reader);
  if (reader.problems.length > 0 || kafka === undefined) throw new DeploySettingsError(reader.problems);
  return Object.freeze({ stage, region, kafka, topicPartitions, ksqldbUrl, parameters });
};

/**
 * The serverless parameters these settings stand for (`--param name=value`), secrets
 * excluded: the functions get the Confluent key through the secret's ARN only.
 */
export const serverlessParameters = (settings: DeploySettings): Record<string, string> => {
  const { kafka } = settings;
  const connection: Record<string, string> =
    kafka.provider === KafkaProvider.Confluent
      ? {
          kafkaProvider: kafka.provider,
          kafkaBootstrapServers: kafka.bootstrapServers.join(','),
          kafkaSecretArn: kafka.secretArn,
        }
      : {
          kafkaProvider: kafka.provider,
          kafkaBootstrapServers: kafka.bootstrapServers.join(','),
          mskClusterArn: kafka.clusterArn,
          mskSubnetIds: kafka.subnetIds.join(','),
          mskSecurityGroupIds: kafka.securityGroupIds.join(','),
        };
  return { ...connection, ...settings.parameters };
};

/** The serverless command line for `deploy` or `remove` of these settings. */
export const serverlessArgs = (
  command: 'deploy' | 'remove' | 'package',
  settings: DeploySettings,
): string[] => [
  command,
  '--stage',
  settings.stage,
  '--region',
  settings.region,
  ...Object.entries(serverlessParameters(settings)).flatMap(([name, value]) => [
    '--param',
    `${name}=${value}`,
  ]),
];
