/**
 * What Kafka Streams' window and session stores keep, and when an EMIT FINAL aggregation
 * (`EmitStrategy.onWindowClose()`, which ksqlDB's StreamAggregateBuilder sets for EMIT FINAL)
 * emits. Pure rules on numbers, so the aggregation (aggregation-query.ts) stays readable and the
 * rules are tested on their own.
 *
 * Sources (apache/kafka, streams/src/main/java/org/apache/kafka/streams/):
 * - kstream/internals/AbstractKStreamTimeWindowAggregateProcessor.java: `shouldEmitFinal`
 *   (wall-clock throttle by `__emit.interval.ms.kstreams.windowed.aggregation__`, default 1000 ms,
 *   and only when the window close time progressed), `fetchAndEmit`.
 * - kstream/internals/KStreamWindowAggregate.java: `emitRangeLowerBound` / `emitRangeUpperBound`
 *   / `shouldRangeFetch` for time windows.
 * - kstream/internals/KStreamSessionWindowAggregate.java: the same for sessions (session end is
 *   inclusive, so the upper bound is close time − 1).
 * - kstream/internals/WindowStoreMaterializer.java, SessionStoreMaterializer.java: retention =
 *   RETENTION if given, else window size (or inactivity gap) + grace.
 * - state/internals/AbstractRocksDBSegmentedBytesStore.java and
 *   AbstractDualSchemaRocksDBSegmentedBytesStore.java (`getActualFrom`): a fetch sees only
 *   entries whose segment timestamp (window start; session end) is ≥ observed − retention + 1
 *   (≥ observed − retention for the time-first window schema of EMIT FINAL), where observed is
 *   the largest segment timestamp the store was written with.
 * - state/internals/AbstractSegments.java: `segmentId = timestamp / segmentInterval`; every put
 *   drops segments below `segmentId(observed − retention)`;
 *   RocksDbTimeOrderedSessionBytesStoreSupplier / RocksDbIndexedTimeOrderedWindowBytesStoreSupplier:
 *   `segmentInterval = max(retention / 2, 60 000)`.
 */

/** Kafka's `ConsumerRecord.NO_TIMESTAMP`: no window close time emitted yet. */
export const NO_TIMESTAMP = -1;

/** Kafka Streams' default for `__emit.interval.ms.kstreams.windowed.aggregation__`. */
export const DEFAULT_EMIT_INTERVAL_MS = 1000;

/** The internal Streams property ksqlDB passes through as `ksql.streams.<name>` (KsqlConfigResolver). */
export const EMIT_INTERVAL_PROPERTY = 'ksql.streams.__emit.interval.ms.kstreams.windowed.aggregation__';

/** Store retention: RETENTION when the window clause has one, else size (or gap) + grace. */
export function storeRetention(sizeOrGap: number, grace: number, retention: number | undefined): number {
  return retention ?? sizeOrGap + grace;
}

/** Java's `long / long` (truncates toward zero), as `AbstractSegments.segmentId` computes. */
function segmentId(timestamp: number, interval: number): number {
  return Math.trunc(timestamp / interval);
}

/** Segment interval of the stores ksqlDB's aggregations get. */
export function segmentInterval(retention: number): number {
  return Math.max(Math.trunc(retention / 2), 60_000);
}

/** Whether a segment holding `timestamp` is still live after a put advanced the store to `observed`. */
export function segmentLive(timestamp: number, observed: number, retention: number): boolean {
  const interval = segmentInterval(retention);
  return segmentId(timestamp, interval) >= segmentId(observed - retention, interval);
}

/**
 * Whether a session ending at `end` is found by `findSessions` (key-first or time-first session
 * schema): `end ≥ observed − retention + 1`.
 */
export function sessionVisible(end: number, observed: number, retention: number): boolean {
  return end >= observed - retention + 1;
}

/** The emit throttle and progress of one EMIT FINAL processor (per task). */
export interface EmitClock {
  /** Close time of the last range fetch, or {@link NO_TIMESTAMP}. */
  lastEmitCloseTime: number;
  /** Wall-clock time before which no emit is tried. */
  nextTimeToEmit: number;
}

/**
 * `shouldEmitFinal`: at most once per emit interval of wall-clock time, and only when the close
 * time moved past the last emitted one. Advances the throttle as Kafka does (from `now`).
 */
export function shouldEmitFinal(
  clock: EmitClock,
  closeTime: number,
  now: number,
  intervalMs: number,
): boolean {
  if (now < clock.nextTimeToEmit) return false;
  clock.nextTimeToEmit = now + intervalMs;
  return clock.lastEmitCloseTime === NO_TIMESTAMP || clock.lastEmitCloseTime < closeTime;
}

/** An inclusive range of segment timestamps (window starts, or session ends) to emit. */
export interface EmitRange {
  readonly from: number;
  readonly to: number;
}

/** Window starts Kafka's `TimeWindows.windowsFor(t)` gives: first start and count. */
function windowsForKey(t: number, size: number, advance: number): string {
  const first = Math.floor(Math.max(0, t - size + advance) / advance) * advance;
  const count = first > t ? 0 : Math.floor((t - first) / advance) + 1;
  return `${first}/${count}`;
}

/**
 * Time windows (KStreamWindowAggregate): starts in [lower, closeTime − size], lower 0 on the first
 * emit and `max(0, last − size) + 1` after; skipped when no window start lies between the bounds
 * (`shouldRangeFetch`); the store's fetch then starts at `max(lower, observed − retention)`.
 * Undefined: nothing to fetch now (and the last close time is not advanced).
 */
export function timeWindowEmitRange(
  clock: EmitClock,
  closeTime: number,
  window: { readonly size: number; readonly advance: number },
  store: { readonly observed: number; readonly retention: number },
): EmitRange | undefined {
  const upper = closeTime - window.size;
  if (upper < 0) return undefined;
  const last = clock.lastEmitCloseTime;
  const lower = last === NO_TIMESTAMP ? 0 : Math.max(0, last - window.size) + 1;
  if (
    last !== NO_TIMESTAMP &&
    windowsForKey(upper, window.size, window.advance) ===
      windowsForKey(lower - 1, window.size, window.advance)
  )
    return undefined;
  return { from: Math.max(lower, store.observed - store.retention), to: upper };
}

/**
 * Sessions (KStreamSessionWindowAggregate): ends in [max(0, last), closeTime − 1], fetched from
 * the live segments (`fetchSessions` applies no retention bound beyond the dropped segments).
 */
export function sessionEmitRange(clock: EmitClock, closeTime: number): EmitRange | undefined {
  const upper = closeTime - 1;
  if (upper < 0) return undefined;
  const lower = Math.max(0, clock.lastEmitCloseTime);
  return upper >= lower ? { from: lower, to: upper } : undefined;
}
