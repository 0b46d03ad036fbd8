/**
 * When each record of a run is due: a steady rate, or a steady rate with periodic bursts
 * (`--burst`), the load that makes the event source mapping's pollers scale out and back
 * in (docs/workshop/11-scaling-modes.md). Free of I/O and of the clock; plain data in
 * ({@link RateProfileSpec}) so the simulation's worker thread can rebuild the same profile.
 *
 * A burst period is `everySeconds` long: steady at `rate` first, then `seconds` at the burst
 * rate, then the next period. Starting steady lets the pollers settle at their floor before
 * the first burst, as on a shop before a flash sale.
 */

/** A burst repeated every `everySeconds`. */
export interface BurstSpec {
  /** Records per second during a burst. */
  readonly rate: number;
  /** Length of a burst (s), less than `everySeconds`. */
  readonly seconds: number;
  /** Start-to-start distance of two bursts (s). */
  readonly everySeconds: number;
}

/** A load shape as plain data. */
export interface RateProfileSpec {
  /** Records per second outside bursts. */
  readonly rate: number;
  readonly burst?: BurstSpec | undefined;
}

/** A load shape over time, in milliseconds since the start of the run. */
export interface RateProfile {
  /** Records (fractional) due by `elapsedMs`; non-decreasing, 0 at 0. */
  dueBy(elapsedMs: number): number;
  /** When record `index` (0-based) is due: the inverse of {@link dueBy}. */
  timeOf(index: number): number;
  /** The rate in force at `elapsedMs`. */
  rateAt(elapsedMs: number): number;
  /** The highest rate of the profile: what users and session slots are sized for. */
  readonly peakRate: number;
}

const steady = (rate: number): RateProfile => ({
  dueBy: (elapsedMs) => (Math.max(0, elapsedMs) * rate) / 1000,
  timeOf: (index) => (Math.max(0, index) * 1000) / rate,
  rateAt: () => rate,
  peakRate: rate,
});

const bursting = (rate: number, burst: BurstSpec): RateProfile => {
  const periodMs = burst.everySeconds * 1000;
  const steadyMs = periodMs - burst.seconds * 1000;
  const steadyRecords = (steadyMs * rate) / 1000;
  const periodRecords = steadyRecords + burst.seconds * burst.rate;
  return {
    dueBy: (elapsedMs) => {
      const t = Math.max(0, elapsedMs);
      const periods = Math.floor(t / periodMs);
      const within = t - periods * periodMs;
      const inPeriod =
        within <= steadyMs
          ? (within * rate) / 1000
          : steadyRecords + ((within - steadyMs) * burst.rate) / 1000;
      return periods * periodRecords + inPeriod;
    },
    timeOf: (index) => {
      const i = Math.max(0, index);
      const periods = Math.floor(i / periodRecords);
      const within = i - periods * periodRecords;
      const inPeriod =
        within <= steadyRecords
          ? (within * 1000) / rate
          : steadyMs + ((within - steadyRecords) * 1000) / burst.rate;
      return periods * periodMs + inPeriod;
    },
    rateAt: (elapsedMs) => {
      const within = Math.max(0, elapsedMs) % periodMs;
      return within < steadyMs ? rate : burst.rate;
    },
    peakRate: Math.max(rate, burst.rate),
  };
};

/**
 * Burst defaults: a minute of burst every four minutes leaves on-demand pollers, evaluated
 * each minute and changed within three (kafka-scaling-modes.html), time to scale out during
 * a burst and back in before the next.
 */
export const DEFAULT_BURST = { seconds: 60, everySeconds: 240 } as const;

/** The burst flags every tool takes (`--rate`, `--burst`, `--burst-seconds`, `--burst-every`). */
export interface BurstFlags {
  readonly rate: number;
  readonly burst?: number | undefined;
  readonly burstSeconds?: number | undefined;
  readonly burstEvery?: number | undefined;
}

/** The load shape the flags ask for, the burst defaults filled in. */
export const rateProfileSpecOf = (flags: BurstFlags): RateProfileSpec => ({
  rate: flags.rate,
  burst:
    flags.burst === undefined
      ? undefined
      : {
          rate: flags.burst,
          seconds: flags.burstSeconds ?? DEFAULT_BURST.seconds,
          everySeconds: flags.burstEvery ?? DEFAULT_BURST.everySeconds,
        },
});

/** The profile a spec describes. The spec is validated where it is parsed (args.ts). */
export const rateProfile = (spec: RateProfileSpec): RateProfile =>
  spec.burst === undefined ? steady(spec.rate) : bursting(spec.rate, spec.burst);

/** Records a run of `durationMs` sends under `profile` (`--duration`). */
export const recordsIn = (profile: RateProfile, durationMs: number): number =>
  Math.round(profile.dueBy(durationMs));
