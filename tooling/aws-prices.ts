/**
 * What AWS and Confluent bill, in one place: the benchmark, the demo and the scale plan price
 * what they measured or modelled with these. us-east-1 (Confluent: AWS us-east-1) list prices,
 * pay as you go, no free tier, no commitment discounts.
 *
 * Every price names the page it comes from and the date it was read (`asOf`). Where the
 * official page renders its rates client-side and the figure was read from a dated copy of
 * it instead, `readFrom` names that copy: check those against the official page before
 * quoting them.
 */

/** One list price and where it comes from. */
export interface ListPrice {
  /** US dollars per `unit`. */
  readonly usd: number;
  readonly unit: string;
  /** The provider's own pricing or documentation page. */
  readonly source: string;
  /** The day the figure was read (UTC). */
  readonly asOf: string;
  /** Set when the figure was read from a copy of the page rather than the page itself. */
  readonly readFrom?: string;
}

const AWS_LAMBDA_PRICING = 'https://aws.amazon.com/lambda/pricing/';
const AWS_EPU_DOC = 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html';
const AWS_DYNAMODB_PRICING = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const AWS_MSK_PRICING = 'https://aws.amazon.com/msk/pricing/';
const AWS_FLINK_PRICING = 'https://aws.amazon.com/managed-service-apache-flink/pricing/';
const CONFLUENT_PRICING = 'https://www.confluent.io/confluent-cloud/pricing/';
const READ = '2026-12-07';

/**
 * The platform's list prices beyond Lambda and DynamoDB: event poller units, the Kafka
 * cluster and the stream processor.
 */
export const LIST_PRICES = {
  /**
   * Provisioned mode bills Event Poller Units around the clock: $0.185 per EPU-hour in
   * us-east-1 (the page's worked example); an EPU carries up to 20 MB/s and 10 pollers.
   * On-demand mode has no poller charge.
   */
  epuHour: { usd: 0.185, unit: 'EPU-hour', source: `${AWS_EPU_DOC}#kafka-provisioned-pricing`, asOf: READ },
  /** Confluent Cloud Basic: the first eCKU free, then per eCKU-hour. */
  confluentBasicEckuHour: {
    usd: 0.14,
    unit: 'eCKU-hour beyond the first',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'a 2026-09-21 transcription of the pricing page (public cost-model notes)',
  },
  /** Basic networking, each way, and storage (pre-replication, per GB-month). */
  confluentBasicNetworkGb: {
    usd: 0.05,
    unit: 'GB in or out',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'as above',
  },
  confluentBasicStorageGbMonth: {
    usd: 0.08,
    unit: 'GB-month',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'as above',
  },
  confluentStandardEckuHour: {
    usd: 0.75,
    unit: 'eCKU-hour',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'third-party transcriptions of the pricing page (2026)',
  },
  confluentStandardNetworkGb: {
    usd: 0.04,
    unit: 'GB in or out',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'as above ($0.035–0.05)',
  },
  confluentStandardStorageGbMonth: {
    usd: 0.08,
    unit: 'GB-month',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'as above',
  },
  confluentEnterpriseEckuHour: {
    usd: 2.25,
    unit: 'eCKU-hour',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'third-party transcriptions ($1.75–2.25; the upper bound taken)',
  },
  confluentEnterpriseNetworkGb: {
    usd: 0.05,
    unit: 'GB in or out',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'as above (upper bound)',
  },
  confluentEnterpriseStorageGbMonth: {
    usd: 0.08,
    unit: 'GB-month',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'as above',
  },
  confluentDedicatedCkuHour: {
    usd: 2.4,
    unit: 'CKU-hour',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'not on the page read; an assumption to check with the cost estimator',
  },
  confluentDedicatedNetworkGb: {
    usd: 0.05,
    unit: 'GB in or out',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'assumed equal to Enterprise',
  },
  confluentDedicatedStorageGbMonth: {
    usd: 0.08,
    unit: 'GB-month',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'assumed equal to Enterprise',
  },
  /** Confluent Cloud ksqlDB, per Confluent Streaming Unit-hour. */
  ksqlCsuHour: {
    usd: 0.23,
    unit: 'CSU-hour',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'Confluent cost lists quoted in public code ($0.22–0.26 by cloud and network)',
  },
  /** Confluent Cloud for Apache Flink, per Confluent Flink Unit-hour (billed per CFU-minute used). */
  confluentFlinkCfuHour: {
    usd: 0.21,
    unit: 'CFU-hour',
    source: CONFLUENT_PRICING,
    asOf: READ,
    readFrom: 'third-party notes quoting the pricing page (2026)',
  },
  /** Amazon Managed Service for Apache Flink: per KPU-hour, plus one orchestration KPU per application. */
  managedFlinkKpuHour: {
    usd: 0.11,
    unit: 'KPU-hour',
    source: AWS_FLINK_PRICING,
    asOf: READ,
    readFrom:
      'billing model from https://docs.aws.amazon.com/managed-flink/latest/java/how-pricing.html; rate from public cost notes',
  },
  /** Running application storage: 50 GB per KPU. */
  managedFlinkStorageGbMonth: {
    usd: 0.1,
    unit: 'GB-month',
    source: AWS_FLINK_PRICING,
    asOf: READ,
    readFrom: 'as above',
  },
  mskServerlessClusterHour: {
    usd: 0.75,
    unit: 'cluster-hour',
    source: AWS_MSK_PRICING,
    asOf: READ,
    readFrom: 'public cost models quoting the MSK pricing page (2026)',
  },
  mskServerlessPartitionHour: {
    usd: 0.0015,
    unit: 'partition-hour',
    source: AWS_MSK_PRICING,
    asOf: READ,
    readFrom: 'as above',
  },
  mskServerlessInGb: { usd: 0.1, unit: 'GB in', source: AWS_MSK_PRICING, asOf: READ, readFrom: 'as above' },
  mskServerlessOutGb: {
    usd: 0.05,
    unit: 'GB out',
    source: AWS_MSK_PRICING,
    asOf: READ,
    readFrom: 'as above',
  },
  mskServerlessStorageGbMonth: {
    usd: 0.1,
    unit: 'GB-month',
    source: AWS_MSK_PRICING,
    asOf: READ,
    readFrom: 'as above',
  },
  /** MSK provisioned, Standard broker kafka.m7g.large, per broker-hour. */
  mskM7gLargeBrokerHour: {
    usd: 0.204,
    unit: 'broker-hour (kafka.m7g.large)',
    source: AWS_MSK_PRICING,
    asOf: READ,
    readFrom: 'public cost models quoting the MSK pricing page (3 brokers ≈ $450/month)',
  },
  /** MSK provisioned broker storage (EBS), per GB-month, every replica. */
  mskStorageGbMonth: {
    usd: 0.1,
    unit: 'GB-month',
    source: AWS_MSK_PRICING,
    asOf: READ,
    readFrom: 'as above',
  },
} as const satisfies Record<string, ListPrice>;

/** Lambda and DynamoDB, as {@link ListPrice}s, for the report's price list. */
export const SERVERLESS_LIST_PRICES = {
  lambdaArmGbSecond: {
    usd: 0.000_013_333_4,
    unit: 'GB-second (arm64)',
    source: AWS_LAMBDA_PRICING,
    asOf: '2026-11-25',
  },
  lambdaRequestMillion: {
    usd: 0.2,
    unit: 'million requests',
    source: AWS_LAMBDA_PRICING,
    asOf: '2026-11-25',
  },
  dynamoWriteMillion: {
    usd: 0.625,
    unit: 'million write request units',
    source: AWS_DYNAMODB_PRICING,
    asOf: '2026-11-25',
  },
  dynamoReadMillion: {
    usd: 0.125,
    unit: 'million read request units',
    source: AWS_DYNAMODB_PRICING,
    asOf: '2026-11-25',
  },
} as const satisfies Record<string, ListPrice>;

/**
 * Lambda and DynamoDB per unit: us-east-1 on-demand list prices checked 2026-11-25 (first
 * Lambda duration tier; DynamoDB on-demand as cut in November 2024), {@link SERVERLESS_LIST_PRICES}.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2026-11-25',
  /** Lambda duration, arm64, per GB-second. */
  lambdaArmGbSecond: 0.000_013_333_4,
  /** Lambda requests, per invocation ($0.20 per million). */
  lambdaRequest: 0.2 / 1_000_000,
  /** DynamoDB on-demand, per write request unit ($0.625 per million). */
  dynamoWriteUnit: 0.625 / 1_000_000,
  /** DynamoDB on-demand, per read request unit ($0.125 per million). */
  dynamoReadUnit: 0.125 / 1_000_000,
} as const;

/** What a run used, in the units AWS bills. */
export interface BilledUsage {
  readonly gbSeconds: number;
  readonly invocations: number;
  readonly writeUnits: number;
  readonly readUnits: number;
}

/** Dollars, by component. */
export interface UsageCost {
  readonly lambdaCompute: number;
  readonly lambdaRequests: number;
  readonly dynamoDb: number;
  readonly total: number;
}

/** The list price of a usage. */
export const costOf = (usage: BilledUsage): UsageCost => {
  const lambdaCompute = usage.gbSeconds * PRICES.lambdaArmGbSecond;
  const lambdaRequests = usage.invocations * PRICES.lambdaRequest;
  const dynamoDb = usage.writeUnits * PRICES.dynamoWriteUnit + usage.readUnits * PRICES.dynamoReadUnit;
  return { lambdaCompute, lambdaRequests, dynamoDb, total: lambdaCompute + lambdaRequests + dynamoDb };
};

/** GB-seconds of a billed duration at a memory size. */
export const gbSecondsOf = (billedMs: number, memoryMb: number): number =>
  (billedMs / 1000) * (memoryMb / 1024);

/** The prices as one line, for reports. */
export const describePrices = (): string =>
  `Prices (${PRICES.region}, on-demand list prices checked ${PRICES.asOf}): Lambda arm64 ` +
  `$${PRICES.lambdaArmGbSecond} per GB-s and $0.20 per million requests; DynamoDB on-demand ` +
  '$0.625 per million write request units and $0.125 per million read request units.';
