import { costOf, gbSecondsOf } from '../../tooling/aws-prices.ts';

export { describePrices, PRICES } from '../../tooling/aws-prices.ts';

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
  const billedMs = usage.durationsMs.reduce((sum, ms) => sum + Math.ceil(ms), 0);
  const gbSeconds = gbSecondsOf(billedMs, usage.memoryMb) * scale;
  const cost = costOf({
    gbSeconds,
    invocations: usage.invocations * scale,
    writeUnits: usage.writeUnits * scale,
    readUnits: usage.readUnits * scale,
  });
  return { ...cost, gbSeconds };
};
