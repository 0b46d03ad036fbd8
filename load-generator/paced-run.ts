import { setTimeout as sleep } from 'node:timers/promises';
import type { OutgoingRecord } from './kafka-sender.ts';
import type { RateProfile } from './rate-profile.ts';

/** Where records come from (the simulation). */
export interface RecordSource {
  take(count: number): OutgoingRecord[] | Promise<OutgoingRecord[]>;
}

/** Where records go (the Kafka batch sender). */
export interface RecordSink {
  send(records: readonly OutgoingRecord[]): Promise<void>;
  flush(): Promise<void>;
}

export interface PacedRunOptions {
  /** When each record is due (rate-profile.ts): a steady rate, or one with bursts. */
  profile: RateProfile;
  /** Records to send; `Infinity` runs until the signal aborts. */
  total: number;
  /** Most records per batch, also the largest catch-up step after a stall. */
  batchSize: number;
  /** Aborting stops producing; what was handed over is still flushed. */
  signal: AbortSignal;
  /** Monotonic milliseconds (injectable for tests). */
  now?: () => number;
}

/** How a run ended. */
export interface PacedRunResult {
  produced: number;
  durationMs: number;
  interrupted: boolean;
}

/**
 * Sends `total` records on the profile's fixed schedule: record i is due at
 * `profile.timeOf(i)` after the start (i / rate seconds at a steady rate), and each turn
 * of the loop sends exactly the records that have come due. The pace is therefore even (a
 * few milliseconds' worth per batch, never a second's worth at once); after a stall the
 * loop catches up in batches of at most `batchSize` rather than dropping records.
 */
export const runPaced = async (
  source: RecordSource,
  sink: RecordSink,
  options: PacedRunOptions,
): Promise<PacedRunResult> => {
  const now = options.now ?? (() => performance.now());
  const { profile, total, batchSize, signal } = options;
  const start = now();
  let produced = 0;
  while (produced < total && !signal.aborted) {
    const elapsed = now() - start;
    const due = Math.min(total, Math.floor(profile.dueBy(elapsed)) + 1);
    const count = Math.min(due - produced, batchSize);
    if (count > 0) {
      await sink.send(await source.take(count));
      produced += count;
      continue;
    }
    const wait = profile.timeOf(produced) - elapsed;
    await sleep(Math.max(1, wait), undefined, { signal }).catch(() => {});
  }
  await sink.flush();
  return { produced, durationMs: now() - start, interrupted: signal.aborted && produced < total };
};
