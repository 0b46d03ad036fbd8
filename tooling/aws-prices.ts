/**
 * What AWS and Confluent bill, in one place: the benchmark, the demo and the scale plan price
 * what they measured or modelled with these. us-east-1 (Confluent: AWS us-east-1) list prices,
 * pay as you go, no free tier, no commitment discounts.
 *
 * Every price names the provider's page it belongs to and the day that page was looked up
 * (`asOf`; none of these pages carries a date of its own). `basis` says whether the figure was
 * read in the page's text that day or is an assumption: several pricing pages (Lambda,
 * DynamoDB, Managed Flink) render their rate tables client-side, so their text holds the
 * billing model but not the rate, and the MSK and Confluent pricing pages were not found with
 * their rates. An assumption names where its figure came from; check it against the
 * provider's calculator before quoting it.
 */

/** How a figure stands against its page. */
export type PriceBasis = 'read on the page' | 'assumption';

/** One list price and where it comes from. */
export interface ListPrice {
  /** US dollars per `unit`. */
  readonly usd: number;
  readonly unit: string;
  /** The provider's own pricing or documentation page. */
  readonly source: string;
  /** The day the page was looked up (UTC). */
  readonly asOf: string;
  readonly basis: PriceBasis;
  /** What the page said, or, for an assumption, why and where the figure came from. */
  readonly note: string;
}

const AWS_LAMBDA_PRICING = 'https://aws.amazon.com/lambda/pricing/';
const AWS_EPU_DOC = 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html';
const AWS_DYNAMODB_PRICING = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const AWS_MSK_PRICING = 'https://aws.amazon.com/msk/pricing/';
const AWS_FLINK_PRICING = 'https://aws.amazon.com/managed-service-apache-flink/pricing/';
const AWS_FLINK_BILLING_DOC = 'https://docs.aws.amazon.com/managed-flink/latest/java/how-pricing.html';
const CONFLUENT_PRICING = 'https://www.confluent.io/confluent-cloud/pricing/';
const CONFLUENT_FLINK_BILLING =
  'https://docs.confluent.io/cloud/current/flink/operate-and-deploy/flink-billing.html';
const CONFLUENT_KSQL_DOC = 'https://docs.confluent.io/cloud/current/ksqldb/index.html';
const READ = '2026-12-08';

const CLIENT_SIDE =
  'the rate is not in the page text read (its rate tables render client-side): the text holds the billing model, not this figure';
const CONFLUENT_ASSUMED =
  "the pricing page was not found in the stored copies searched, and Confluent's docs (billing dimensions, ksqlDB, Flink billing) send their rates to it. Figure carried from the 2026-12-07 table (third-party transcriptions of the pricing page)";
const MSK_ASSUMED =
  'the pricing page was not found with its rates in the stored copies searched (only its billing dimensions: cluster-, partition-hours, GB in and out, storage; broker-hours). Figure carried from the 2026-12-07 table (public cost models quoting the page)';
const assumed = (note: string) => ({ asOf: READ, basis: 'assumption' as const, note });
const read = (note: string) => ({ asOf: READ, basis: 'read on the page' as const, note });

/**
 * The platform's list prices beyond Lambda and DynamoDB: event poller units, the Kafka
 * cluster and the stream processor.
 */
export const LIST_PRICES = {
  /**
   * Provisioned mode bills Event Poller Units around the clock (the minimum pollers and those
   * added by autoscaling); an EPU carries up to 20 MB/s and 10 pollers. On-demand mode has no
   * poller charge: the page bills provisioned mode only.
   */
  epuHour: {
    usd: 0.185,
    unit: 'EPU-hour',
    source: `${AWS_EPU_DOC}#kafka-cost-optimization-example`,
    ...read('"Cost per EPU: $0.185/hour in US East (N. Virginia)", the page\'s cost optimization example'),
  },
  /** Confluent Cloud Basic: the first eCKU free, then per eCKU-hour. */
  confluentBasicEckuHour: {
    usd: 0.14,
    unit: 'eCKU-hour beyond the first',
    source: CONFLUENT_PRICING,
    ...assumed(CONFLUENT_ASSUMED),
  },
  /** Basic networking, each way, and storage (pre-replication, per GB-month). */
  confluentBasicNetworkGb: {
    usd: 0.05,
    unit: 'GB in or out',
    source: CONFLUENT_PRICING,
    ...assumed(CONFLUENT_ASSUMED),
  },
  confluentBasicStorageGbMonth: {
    usd: 0.08,
    unit: 'GB-month',
    source: CONFLUENT_PRICING,
    ...assumed(CONFLUENT_ASSUMED),
  },
  confluentStandardEckuHour: {
    usd: 0.75,
    unit: 'eCKU-hour',
    source: CONFLUENT_PRICING,
    ...assumed(CONFLUENT_ASSUMED),
  },
  confluentStandardNetworkGb: {
    usd: 0.04,
    unit: 'GB in or out',
    source: CONFLUENT_PRICING,
    ...assumed(`${CONFLUENT_ASSUMED}; they ranged $0.035–0.05`),
  },
  confluentStandardStorageGbMonth: {
    usd: 0.08,
    unit: 'GB-month',
    source: CONFLUENT_PRICING,
    ...assumed(CONFLUENT_ASSUMED),
  },
  confluentEnterpriseEckuHour: {
    usd: 2.25,
    unit: 'eCKU-hour',
    source: CONFLUENT_PRICING,
    ...assumed(`${CONFLUENT_ASSUMED}; they ranged $1.75–2.25, the upper bound taken`),
  },
  confluentEnterpriseNetworkGb: {
    usd: 0.05,
    unit: 'GB in or out',
    source: CONFLUENT_PRICING,
    ...assumed(`${CONFLUENT_ASSUMED}; upper bound`),
  },
  confluentEnterpriseStorageGbMonth: {
    usd: 0.08,
    unit: 'GB-month',
    source: CONFLUENT_PRICING,
    ...assumed(CONFLUENT_ASSUMED),
  },
  confluentDedicatedCkuHour: {
    usd: 2.4,
    unit: 'CKU-hour',
    source: CONFLUENT_PRICING,
    ...assumed('no source shows a CKU rate; a guess to replace with the cost estimator'),
  },
  confluentDedicatedNetworkGb: {
    usd: 0.05,
    unit: 'GB in or out',
    source: CONFLUENT_PRICING,
    ...assumed('taken equal to Enterprise'),
  },
  confluentDedicatedStorageGbMonth: {
    usd: 0.08,
    unit: 'GB-month',
    source: CONFLUENT_PRICING,
    ...assumed('taken equal to Enterprise'),
  },
  /** Confluent Cloud ksqlDB, per Confluent Streaming Unit-hour. */
  ksqlCsuHour: {
    usd: 0.23,
    unit: 'CSU-hour',
    source: CONFLUENT_KSQL_DOC,
    ...assumed(
      'the page bills CSUs per hour, "varies slightly depending on cloud provider and region", and names no rate; figure carried from the 2026-12-07 table (Confluent cost lists quoted in public code, $0.22–0.26)',
    ),
  },
  /** Confluent Cloud for Apache Flink, per Confluent Flink Unit-hour (billed per CFU-minute used). */
  confluentFlinkCfuHour: {
    usd: 0.21,
    unit: 'CFU-hour',
    source: CONFLUENT_FLINK_BILLING,
    ...read(
      '"$0.21/CFU-hour, calculated by the minute ($0.0035/CFU-minute)"; "prices vary by cloud region" (the page names none); reading from and writing to Kafka is billed as the cluster\'s networking',
    ),
  },
  /** Amazon Managed Service for Apache Flink: per KPU-hour, plus one orchestration KPU per application. */
  managedFlinkKpuHour: {
    usd: 0.11,
    unit: 'KPU-hour',
    source: AWS_FLINK_PRICING,
    ...assumed(
      `${CLIENT_SIDE}. The billing model is read on ${AWS_FLINK_BILLING_DOC} (a KPU is 1 vCPU and 4 GB; one extra KPU per application for orchestration; running storage per GB-month; per-second billing). Rate carried from the 2026-12-07 table (public cost notes)`,
    ),
  },
  /** Running application storage: 50 GB per KPU. */
  managedFlinkStorageGbMonth: {
    usd: 0.1,
    unit: 'GB-month',
    source: AWS_FLINK_PRICING,
    ...assumed(
      `${CLIENT_SIDE}; billed per GB-month (${AWS_FLINK_BILLING_DOC}); rate and the 50 GB per KPU carried from the 2026-12-07 table`,
    ),
  },
  mskServerlessClusterHour: {
    usd: 0.75,
    unit: 'cluster-hour',
    source: AWS_MSK_PRICING,
    ...assumed(MSK_ASSUMED),
  },
  mskServerlessPartitionHour: {
    usd: 0.0015,
    unit: 'partition-hour',
    source: AWS_MSK_PRICING,
    ...assumed(MSK_ASSUMED),
  },
  mskServerlessInGb: { usd: 0.1, unit: 'GB in', source: AWS_MSK_PRICING, ...assumed(MSK_ASSUMED) },
  mskServerlessOutGb: {
    usd: 0.05,
    unit: 'GB out',
    source: AWS_MSK_PRICING,
    ...assumed(MSK_ASSUMED),
  },
  mskServerlessStorageGbMonth: {
    usd: 0.1,
    unit: 'GB-month',
    source: AWS_MSK_PRICING,
    ...assumed(MSK_ASSUMED),
  },
  /** MSK provisioned, Standard broker kafka.m7g.large, per broker-hour. */
  mskM7gLargeBrokerHour: {
    usd: 0.204,
    unit: 'broker-hour (kafka.m7g.large)',
    source: AWS_MSK_PRICING,
    ...assumed(`${MSK_ASSUMED}; 3 brokers ≈ $450 a month`),
  },
  /** MSK provisioned broker storage (EBS), per GB-month, every replica. */
  mskStorageGbMonth: {
    usd: 0.1,
    unit: 'GB-month',
    source: AWS_MSK_PRICING,
    ...assumed(MSK_ASSUMED),
  },
} as const satisfies Record<string, ListPrice>;

/** Lambda and DynamoDB, as {@link ListPrice}s: the one home of their rates ({@link PRICES} reads them). */
export const SERVERLESS_LIST_PRICES = {
  lambdaArmGbSecond: {
    usd: 0.000_013_333_4,
    unit: 'GB-second (arm64, first 7.5 billion a month)',
    source: AWS_LAMBDA_PRICING,
    ...assumed(
      `${CLIENT_SIDE} (its "Arm Price" tab); figure carried from the 2026-11-25 reading. Tiers: https://aws.amazon.com/blogs/compute/introducing-tiered-pricing-for-aws-lambda/`,
    ),
  },
  lambdaX86GbSecond: {
    usd: 0.000_016_666_7,
    unit: 'GB-second (x86_64, first 6 billion a month; for comparison, the functions run arm64)',
    source: AWS_LAMBDA_PRICING,
    ...read(
      'the page\'s worked example: "The monthly compute price is $0.00001667 per GB-s" (US East, N. Virginia)',
    ),
  },
  lambdaRequestMillion: {
    usd: 0.2,
    unit: 'million requests',
    source: AWS_LAMBDA_PRICING,
    ...read('"The monthly request price is $0.20 per 1 million requests", both architectures'),
  },
  dynamoWriteMillion: {
    usd: 0.625,
    unit: 'million write request units',
    source: AWS_DYNAMODB_PRICING,
    ...assumed(
      `${CLIENT_SIDE} (it defines the units: 1 KB a standard write); figure carried from the 2026-11-25 reading (on-demand as cut in November 2024)`,
    ),
  },
  dynamoReadMillion: {
    usd: 0.125,
    unit: 'million read request units',
    source: AWS_DYNAMODB_PRICING,
    ...assumed(
      `${CLIENT_SIDE} (it defines the units: 4 KB a strongly consistent read, half for eventually consistent); figure carried from the 2026-11-25 reading`,
    ),
  },
  dynamoStorageGbMonth: {
    usd: 0.25,
    unit: 'GB-month beyond the first 25 GB (not in the bill: the tables hold aggregates, not events)',
    source: 'https://aws.amazon.com/dynamodb/pricing/',
    ...read(
      '"The first 25 GB consumed per month is free, and prices start from $0.25 per GB-month thereafter"',
    ),
  },
} as const satisfies Record<string, ListPrice>;

/**
 * Lambda and DynamoDB per unit, from {@link SERVERLESS_LIST_PRICES} (first Lambda duration tier).
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: READ,
  /** Lambda duration, arm64, per GB-second. */
  lambdaArmGbSecond: SERVERLESS_LIST_PRICES.lambdaArmGbSecond.usd,
  /** Lambda requests, per invocation. */
  lambdaRequest: SERVERLESS_LIST_PRICES.lambdaRequestMillion.usd / 1_000_000,
  /** DynamoDB on-demand, per write request unit. */
  dynamoWriteUnit: SERVERLESS_LIST_PRICES.dynamoWriteMillion.usd / 1_000_000,
  /** DynamoDB on-demand, per read request unit. */
  dynamoReadUnit: SERVERLESS_LIST_PRICES.dynamoReadMillion.usd / 1_000_000,
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
export const describePrices = (): string => {
  const p = SERVERLESS_LIST_PRICES;
  return (
    `Prices (${PRICES.region}, on-demand list prices as of ${PRICES.asOf}; which were read on the providers' pages and which are assumptions: npm run plan, "Prices"): ` +
    `Lambda arm64 $${p.lambdaArmGbSecond.usd} per GB-s and $${p.lambdaRequestMillion.usd.toFixed(2)} per million requests; ` +
    `DynamoDB on-demand $${p.dynamoWriteMillion.usd} per million write request units and $${p.dynamoReadMillion.usd} per million read request units.`
  );
};
