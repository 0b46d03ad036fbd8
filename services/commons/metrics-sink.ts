import type { MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Where a service reports its counts: Powertools' `Metrics` (CloudWatch EMF) fits, so does a
 * recorder in a test.
 */
export interface MetricsSink {
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
}
