const UNITS: Readonly<Record<string, number>> = {
  MILLISECOND: 1,
  MILLISECONDS: 1,
  SECOND: 1000,
  SECONDS: 1000,
  MINUTE: 60_000,
  MINUTES: 60_000,
  HOUR: 3_600_000,
  HOURS: 3_600_000,
  DAY: 86_400_000,
  DAYS: 86_400_000,
};

/** Milliseconds of `amount unit` (ksqlDB time units), or undefined for an unknown unit. */
export function parseDurationParts(amount: number, unit: string): number | undefined {
  const factor = UNITS[unit.toUpperCase()];
  return factor === undefined ? undefined : amount * factor;
}

/**
 * Parses a duration property such as `'30 seconds'` (WINDOW_SIZE). Returns the milliseconds or a
 * ksqlDB-worded reason.
 */
export function parseDurationText(text: string): { ms: number } | { error: string } {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2 || !/^[0-9]+$/.test(parts[0] ?? '')) {
    return { error: `Invalid duration: '${text}'. Expected format: <number> <unit>` };
  }
  const ms = parseDurationParts(Number(parts[0]), parts[1] ?? '');
  if (ms === undefined) {
    return { error: `Invalid duration: '${text}'. Unknown time unit: '${(parts[1] ?? '').toUpperCase()}'` };
  }
  return { ms };
}
