/**
 * Money as the aggregation keeps it: integer cents, summed as BigInt. A minute's revenue can
 * pass 2^53 cents (some 1,800 maximum orders on one page: MAX_ORDER_CENTS,
 * services/clickstream/event.ts), where a JavaScript number stops counting every cent, so
 * amounts leave the service as BigInt cents or as exact decimal text, never as a float.
 */

/** Exact decimal text of an amount in cents, two places: `123456n` → `"1234.56"`. */
export const decimalOfCents = (cents: bigint): string => {
  const magnitude = cents < 0n ? -cents : cents;
  const fraction = (magnitude % 100n).toString().padStart(2, '0');
  return `${cents < 0n ? '-' : ''}${magnitude / 100n}.${fraction}`;
};

/** Cents of an amount held as a float of the currency (ksql's DOUBLE), rounded to the cent. */
export const centsOfFloat = (amount: number): bigint => BigInt(Math.round(amount * 100));

/** The sum of amounts in cents; exact at any size. */
export const sumCents = (amounts: Iterable<bigint>): bigint => {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total;
};
