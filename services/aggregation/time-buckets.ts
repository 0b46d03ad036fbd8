/** A minute bucket in UTC, `YYYY-MM-DDTHH:mmZ`: sorts lexicographically in time order. */
export type Minute = string;

const MINUTE_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/;

/** The minute bucket an epoch-millisecond instant falls in. */
export const minuteOf = (epochMs: number): Minute => `${new Date(epochMs).toISOString().slice(0, 16)}Z`;

/** Whether a string is a well-formed {@link Minute}. */
export const isMinute = (value: string): value is Minute =>
  MINUTE_PATTERN.test(value) && !Number.isNaN(Date.parse(value));

/** The UTC day (`YYYY-MM-DD`) of a minute bucket. */
export const dayOf = (minute: Minute): string => minute.slice(0, 10);

/** Epoch milliseconds at the start of a minute bucket. */
export const minuteStart = (minute: Minute): number => Date.parse(minute);

/** The minute buckets from `from` to `to`, both included. */
export const minutesBetween = (from: Minute, to: Minute): Minute[] => {
  const minutes: Minute[] = [];
  for (let at = minuteStart(from); at <= minuteStart(to); at += 60_000) minutes.push(minuteOf(at));
  return minutes;
};

/**
 * The DynamoDB TTL value (epoch seconds) of an item of a minute bucket: the retention after
 * the later of the bucket's end and `writtenAt` (the time of the write). DynamoDB deletes
 * expired items within a few days of this time
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html);
 * dynalite ignores TTL, so locally the items simply stay.
 *
 * Counting from the write, not only from the bucket, is what keeps a late event safe: an
 * item (and the watermarks in it) outlives every redelivery of the records written into it
 * as long as the retention is longer than the topic's (a record can only be redelivered while
 * Kafka still holds it, i.e. within the topic's retention of its write). An event of a minute
 * long past would otherwise write an item that is already expired, and a redelivery after TTL
 * removed it would count the event again. docs/effectively-once.md, "Late events and TTL".
 */
export const expiresAtOf = (minute: Minute, retentionDays: number, writtenAt = 0): number =>
  Math.floor(Math.max(minuteStart(minute) + 60_000, writtenAt) / 1000) + retentionDays * 86_400;
