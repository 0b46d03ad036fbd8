import type { Producer } from 'kafkajs';
import { BatchSender, type SendStats } from './kafka-sender.ts';
import { runPaced } from './paced-run.ts';
import { rateProfile } from './rate-profile.ts';
import type { SimulationOptions, SimulationStats } from './simulation.ts';
import type { ValueEncoder } from './value-format.ts';
import { WorkerRecordSource } from './worker-source.ts';

export interface ProduceLoadSettings {
  simulation: SimulationOptions;
  topic: string;
  /** Records to send; `Infinity` runs until `signal` aborts. */
  total: number;
  batchSize: number;
  compression: 'none' | 'gzip';
  /** Re-encodes each value before it is sent (`--format avro`). */
  encode?: ValueEncoder;
  signal: AbortSignal;
  /** Called once per failed batch (its records count as errors); the run stops after it. */
  onSendError?: (error: unknown) => void;
  /** Called with live counters once the run has started, e.g. to drive a progress bar. */
  onStart?: (stats: () => Readonly<SendStats>) => void;
  /**
   * A source already started for `simulation` (e.g. so a benchmark can leave the worker's
   * start-up out of its timing); one is started otherwise. Closed when the run ends.
   */
  source?: WorkerRecordSource;
}

/** The outcome of {@link produceLoad}. */
export interface ProduceLoadResult {
  stats: SendStats;
  simulation: SimulationStats;
  durationMs: number;
  /** True when the signal stopped the run before `total`. */
  interrupted: boolean;
}

/**
 * Runs the simulation into Kafka at the simulation's rate (and bursts) through a connected producer:
 * the whole load generator minus its command line. The first failed batch stops the run
 * (a broker that went away would otherwise make every later batch wait out its retries).
 */
export const produceLoad = async (
  producer: Producer,
  settings: ProduceLoadSettings,
): Promise<ProduceLoadResult> => {
  const stop = new AbortController();
  const signal = AbortSignal.any([settings.signal, stop.signal]);
  const source =
    settings.source ?? new WorkerRecordSource(settings.simulation, Math.min(settings.batchSize, 2000));
  const sender = new BatchSender(producer, {
    topic: settings.topic,
    compression: settings.compression,
    ...(settings.encode === undefined ? {} : { encode: settings.encode }),
    onError: (error) => {
      settings.onSendError?.(error);
      stop.abort(error);
    },
  });
  await source.ready().catch(async (error: unknown) => {
    await source.close();
    throw error;
  });
  settings.onStart?.(() => sender.stats);
  const run = await runPaced(source, sender, {
    profile: rateProfile(settings.simulation),
    total: settings.total,
    batchSize: settings.batchSize,
    signal,
  }).finally(() => source.close());
  return {
    stats: sender.stats,
    simulation: source.stats,
    durationMs: run.durationMs,
    interrupted: settings.signal.aborted && run.interrupted,
  };
};
