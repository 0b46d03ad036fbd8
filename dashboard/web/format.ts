/** How the page writes numbers, rates, money and times. Pure functions, unit-tested. */

const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const moneyFormats = new Map<string, Intl.NumberFormat>();
const moneyFormat = (currency: string, compact: boolean): Intl.NumberFormat => {
  const key = `${currency}/${compact}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      currencyDisplay: 'narrowSymbol',
      ...(compact ? { notation: 'compact', maximumFractionDigits: 1 } : { minimumFractionDigits: 2 }),
    });
    moneyFormats.set(key, format);
  }
  return format;
};
const decimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** `12345` → `12,345`; `null` (unknown) → `–`. */
export const formatCount = (value: number | null): string => (value === null ? '–' : counts.format(value));

/** `0.1234` → `12.3%`; `null` (no base to divide by) → `–`. */
export const formatRate = (ratio: number | null): string => {
  if (ratio === null) return '–';
  const percent = ratio * 100;
  return `${percent > 0 && percent < 0.1 ? '<0.1' : decimals.format(percent)}%`;
};

/**
 * An amount that arrives as exact decimal text (dashboard/snapshot.ts), formatted without
 * ever becoming a float: the whole part as a BigInt, the cents put back as they came, so every
 * cent past 2^53 shows.
 */
const formatExactly = (format: Intl.NumberFormat, value: string): string => {
  const [whole = '0', cents = '00'] = value.split('.');
  return format
    .formatToParts(BigInt(whole))
    .map((part) => (part.type === 'fraction' ? cents : part.value))
    .join('');
};

/** An amount in `currency` (ISO 4217): `"1234.50"` → `$1,234.50`, and `$1.2M` once it is that large. */
export const formatMoney = (value: string, currency: string): string =>
  Number(value) >= 1_000_000
    ? moneyFormat(currency, true).format(Number(value))
    : formatExactly(moneyFormat(currency, false), value);

/** An amount for a key figure, short enough for a card: `"1234.50"` → `$1,234.50`, `"26863.70"` → `$26.9K`. */
export const formatMoneyShort = (value: string, currency: string): string =>
  Number(value) >= 10_000
    ? moneyFormat(currency, true).format(Number(value))
    : formatExactly(moneyFormat(currency, false), value);

/** Dollars of a cloud bill: to the cent from a dollar up, else three significant digits (`0.0123` → `$0.0123`). */
export const formatUsd = (value: number): string =>
  value >= 1 || value === 0 ? moneyFormat('USD', false).format(value) : `$${value.toPrecision(3)}`;

/** Seconds for a freshness figure: `0.4` → `0.4 s`, `75` → `1 min 15 s`. */
export const formatSeconds = (seconds: number): string =>
  seconds < 60
    ? `${decimals.format(seconds)} s`
    : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;

/** A batch size: `12.345` → `12.3`. */
export const formatDecimal = (value: number): string => decimals.format(value);

/** The label of a minute bucket (`2026-11-25T10:42Z` → `10:42`), in UTC like the buckets. */
export const minuteLabel = (minute: string): string => minute.slice(11, 16);

/** A clock time in UTC: `10:42:07`. */
export const clockLabel = (epochMs: number): string => new Date(epochMs).toISOString().slice(11, 19);

/** A path shortened for an axis label, keeping its end (the most specific part). */
export const shortenPath = (path: string, max = 32): string =>
  path.length <= max ? path : `…${path.slice(path.length - (max - 1))}`;

/** The change from `previous` to `current` in words, e.g. `+12% vs 10:41`; empty without a base. */
export const changeLabel = (current: number, previous: number, previousLabel: string): string => {
  if (previous === 0) return '';
  const change = (current - previous) / previous;
  const sign = change >= 0 ? '+' : '−';
  return `${sign}${decimals.format(Math.abs(change) * 100)}% vs ${previousLabel}`;
};

/** The names of the funnel's steps as people say them. */
export const STEP_LABELS: Readonly<Record<string, string>> = {
  pageViews: 'Page views',
  addToCarts: 'Add to cart',
  checkouts: 'Checkout',
  purchases: 'Purchase',
};
