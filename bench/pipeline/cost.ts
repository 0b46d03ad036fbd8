/**
 * What a million events cost on AWS, from what the benchmark measured. Prices are
 * us-east-1 list prices, on-demand, checked 2026-11-25 (first Lambda duration tier;
 * DynamoDB on-demand as cut in November 2024):
 * https://aws.amazon.com/lambda/pricing/ and https://aws.amazon.com/dynamodb/pricing/on-demand/.
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

/** What a run of the function used. */
export interface MeasuredUsage {
  readonly events: number;
  readonly invocations: number;
  /** Handler durations, ms, one per invocation. */
  readonly durationsMs: readonly number[];
  readonly memoryMb: number;
  readonly writeUnits: number;
  readonly readUnits: number;
}

/** Dollars per million events, by component. */
export interface CostPerMillion {
  readonly lambdaCompute: number;
  readonly lambdaRequests: number;
  readonly dynamoDb: number;
  readonly total: number;
  /** GB-seconds per million events. */
  readonly gbSeconds: number;
}

/**
 * Scales a run's usage to a million events. Lambda bills each invocation's duration
 * rounded up to the millisecond, times the configured memory; init time of cold starts
 * is left out (a long-running mapping amortises it over millions of events).
 */
export const costPerMillion = (usage: MeasuredUsage): CostPerMillion => {
  const scale = 1_000_000 / usage.events;
  const billedSeconds = usage.durationsMs.reduce((sum, ms) => sum + Math.ceil(ms), 0) / 1000;
  const gbSeconds = billedSeconds * (usage.memoryMb / 1024) * scale;
  const lambdaCompute = gbSeconds * PRICES.lambdaArmGbSecond;
  const lambdaRequests = usage.invocations * scale * PRICES.lambdaRequest;
  const dynamoDb =
    (usage.writeUnits * PRICES.dynamoWriteUnit + usage.readUnits * PRICES.dynamoReadUnit) * scale;
  return {
    lambdaCompute,
    lambdaRequests,
    dynamoDb,
    total: lambdaCompute + lambdaRequests + dynamoDb,
    gbSeconds,
  };
};

/** The prices as one line, for the report. */
export const describePrices = (): string =>
  `Prices (${PRICES.region}, on-demand list prices checked ${PRICES.asOf}): Lambda arm64 ` +
  `$${PRICES.lambdaArmGbSecond} per GB-s and $0.20 per million requests; DynamoDB on-demand ` +
  '$0.625 per million write request units and $0.125 per million read request units.';
