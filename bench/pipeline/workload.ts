import type { Producer } from 'kafkajs';
import { BatchSender, type OutgoingRecord } from '../../load-generator/kafka-sender.ts';
import { runPaced } from '../../load-generator/paced-run.ts';
import { rateProfile } from '../../load-generator/rate-profile.ts';
import {
  ClickstreamSimulation,
  recommendedUsers,
  type SimulationOptions,
} from '../../load-generator/simulation.ts';
import { PipelineBenchError } from './errors.ts';

/** Records per produce request: the load generator's default. */
const PRODUCE_BATCH = 2000;

/**
 * The simulation every scenario draws from: the load generator's defaults (5 % bots,
 * 30 s session gap, users enough for the rate), no bad records (poison handling is the
 * integration tests' business, not a throughput question), a fixed seed.
 */
export const simulationOptions = (rate: number, startTime: number): SimulationOptions => ({
  seed: 20_250_601,
  startTime,
  rate,
  users: recommendedUsers(rate, 0.05, 30_000),
  botShare: 0.05,
  badRate: 0,
  sessionGapMs: 30_000,
});

/**
 * A fixed backlog: `count` load-generator records simulated at `rate` events/s from
 * `startTime`, their Kafka timestamps the simulated event times. Generated once and
 * produced unchanged to every scenario's topic, so all scenarios consume the same bytes.
 */
export const generateBacklog = (count: number, rate: number, startTime: number): OutgoingRecord[] =>
  new ClickstreamSimulation(simulationOptions(rate, startTime)).take(count).map((record) => ({
    key: record.key,
    value: record.value,
    timestamp: String(record.timestamp),
    kind: record.kind,
  }));

/** Produces records as fast as the broker acknowledges them (acks=all), through the load generator's sender. */
export const produceBacklog = async (
  producer: Producer,
  topic: string,
  records: readonly OutgoingRecord[],
): Promise<void> => {
  let failure: unknown;
  const sender = new BatchSender(producer, {
    topic,
    onError: (error) => {
      failure ??= error;
    },
  });
  for (let from = 0; from < records.length; from += PRODUCE_BATCH) {
    await sender.send(records.slice(from, from + PRODUCE_BATCH));
  }
  await sender.flush();
  if (sender.stats.acked !== records.length) {
    throw new PipelineBenchError(
      `${topic}: ${sender.stats.acked} of ${records.length} records acknowledged`,
      {
        cause: failure,
      },
    );
  }
};

/**
 * Produces load-generator records at `rate` per second for `durationMs`, on the load
 * generator's even schedule. Each record's Kafka timestamp is the wall clock when it is
 * handed to the producer — the "event produced" instant latencies are measured from.
 *
 * @returns how many records were acknowledged.
 */
export const producePaced = async (
  producer: Producer,
  topic: string,
  rate: number,
  durationMs: number,
): Promise<number> => {
  const simulation = new ClickstreamSimulation(simulationOptions(rate, Date.now()));
  let failure: unknown;
  const sender = new BatchSender(producer, {
    topic,
    onError: (error) => {
      failure ??= error;
    },
  });
  const total = Math.round((rate * durationMs) / 1000);
  const source = {
    take: (count: number): OutgoingRecord[] => {
      const now = String(Date.now());
      return simulation
        .take(count)
        .map((record) => ({ key: record.key, value: record.value, timestamp: now, kind: record.kind }));
    },
  };
  await runPaced(source, sender, {
    profile: rateProfile({ rate }),
    total,
    batchSize: PRODUCE_BATCH,
    signal: new AbortController().signal,
  });
  if (sender.stats.acked !== total) {
    throw new PipelineBenchError(`${topic}: ${sender.stats.acked} of ${total} paced records acknowledged`, {
      cause: failure,
    });
  }
  return total;
};
