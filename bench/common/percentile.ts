/**
 * The p-th percentile (0–100) of `values` by the nearest-rank method: the smallest value
 * with at least p % of the values at or below it. `undefined` for no values.
 */
export const percentile = (values: readonly number[], p: number): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
};

/** The median: the 50th percentile. */
export const median = (values: readonly number[]): number | undefined => percentile(values, 50);
