/**
 * What AWS bills, in one place: the benchmark, the demo and the scale plan price what they
 * measured with these. us-east-1 list prices, on-demand, checked 2026-11-25 (first Lambda
 * duration tier; DynamoDB on-demand as cut in November 2024):
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
