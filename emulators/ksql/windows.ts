import type { WindowBounds } from './serde.ts';

/** 24 hours: Kafka Streams' legacy retention, from which the default grace period is derived. */
export const LEGACY_RETENTION_MS = 86_400_000;

/**
 * Time windows a timestamp falls into, ascending by start, as Kafka Streams assigns them
 * (`TimeWindows.windowsFor`): hopping windows that would start before 0 are not created.
 */
export function timeWindowsFor(timestamp: number, size: number, advance: number): WindowBounds[] {
  const out: WindowBounds[] = [];
  let start = Math.floor(Math.max(0, timestamp - size + advance) / advance) * advance;
  while (start <= timestamp) {
    out.push({ start, end: start + size });
    start += advance;
  }
  return out;
}

/**
 * Default grace when a window clause has none: ksqlDB's legacy default (24 h minus the window
 * size, never negative) for EMIT CHANGES, and 0 for EMIT FINAL so that final rows appear when the
 * window ends.
 */
export function defaultGrace(sizeOrGap: number, emitFinal: boolean): number {
  return emitFinal ? 0 : Math.max(LEGACY_RETENTION_MS - sizeOrGap, 0);
}
