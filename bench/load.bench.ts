/**
 * `npm run bench:load`: the load generator's sustained acked rate against a bare, batched
 * kafkajs producer loop sending records of the same size, to the same broker, with the
 * same producer settings (idempotent, acks=all, one batch in flight, batches of 2000),
 * each to its own topic with the same partition count.
 *
 * Uses KAFKA_BROKERS when set, otherwise launches a local broker for the run. Rounds
 * alternate bare / generator so that a noisy, shared machine weighs on both alike; the
 * ratio is the median of the per-round ratios (each pair ran back to back), the rates the
 * median of each. Prints a markdown table for BENCHMARKS.md.
 */
import { randomUUID } from 'node:crypto';
import { CompressionTypes, type Producer } from 'kafkajs';
import { connectProducer, createKafka } from '../load-generator/kafka-client.ts';
import { produceLoad } from '../load-generator/produce-load.ts';
import { ClickstreamSimulation, type SimulationOptions } from '../load-generator/simulation.ts';
import { WorkerRecordSource } from '../load-generator/worker-source.ts';
import { useOrLaunchKafka } from '../local/kafka/use-or-launch.ts';
import { createKafkaClient } from '../services/kafka/client.ts';
import { createTopics } from '../services/kafka/topics.ts';
import { resolveEndpoints } from '../tooling/endpoints.ts';
import { createToolLogger, silentLogger } from '../tooling/logger.ts';

const RECORDS_PER_ROUND = Number(process.env.BENCH_RECORDS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PARTITIONS = 6;
const BATCH = 2000;
// "Unlimited": the pacer never waits at this rate. The user count is fixed so the
// simulation's size does not grow with the rate.
const SIMULATION: SimulationOptions = {
  seed: 1,
  startTime: Date.parse('2025-06-01T12:00:00Z'),
  rate: 10_000_000,
  users: 28_000,
  botShare: 0.05,
  badRate: 0,
  sessionGapMs: 30_000,
};

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Round {
  /** Acked records per second. */
  rate: number;
  /** CPU time of this process (all its threads) per record, µs. */
  cpuUs: number;
}

/** Times `run`, wall clock and this process's CPU (the broker's is not counted). */
const measure = async (records: number, run: () => Promise<void>): Promise<Round> => {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { rate: (records * 1000) / elapsed, cpuUs: (used.user + used.system) / records };
};

const bareLoop = async (producer: Producer, topic: string, valueBytes: number, records: number) => {
  const value = Buffer.alloc(valueBytes, 'x');
  for (let sent = 0; sent < records; sent += BATCH) {
    const messages = Array.from({ length: Math.min(BATCH, records - sent) }, (_, i) => ({
      key: `user-${String((sent + i) % SIMULATION.users).padStart(6, '0')}`,
      value,
      timestamp: String(Date.now()),
    }));
    await producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
  }
};

const generatorRun = async (
  producer: Producer,
  topic: string,
  records: number,
  source: WorkerRecordSource,
) => {
  const result = await produceLoad(producer, {
    source,
    simulation: SIMULATION,
    topic,
    total: records,
    batchSize: BATCH,
    compression: 'none',
    signal: new AbortController().signal,
  });
  if (result.stats.acked !== records) throw new Error(`generator acked ${result.stats.acked} of ${records}`);
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const main = async () => {
  // The environment only: a bench measures on a broker of its own unless told otherwise.
  const external = resolveEndpoints(process.env, undefined).kafka;
  const cluster = await useOrLaunchKafka(external, { log });
  const brokers = [...cluster.connection.brokers];
  try {
    const id = randomUUID().slice(0, 8);
    const topics = { bare: `bench-load-bare-${id}`, generator: `bench-load-gen-${id}` };
    await createTopics(
      createKafkaClient(cluster.connection, { clientId: 'bench-admin', log: silentLogger }),
      [
        { topic: topics.bare, partitions: PARTITIONS },
        { topic: topics.generator, partitions: PARTITIONS },
      ],
    );
    const sample = new ClickstreamSimulation(SIMULATION).take(20_000);
    const valueBytes = Math.round(
      sample.reduce((sum, record) => sum + record.value.length, 0) / sample.length,
    );
    log(`records of ${valueBytes} bytes on average; ${ROUNDS} rounds of ${RECORDS_PER_ROUND} records each`);

    const kafka = createKafka(
      { ...cluster.connection, source: 'KAFKA_BROKERS' },
      createToolLogger('bench-load'),
    );
    const producer = await connectProducer(kafka, brokers);
    const rounds = { bare: [] as Round[], generator: [] as Round[] };
    try {
      // Warm-up: connections, metadata, JIT.
      await bareLoop(producer, topics.bare, valueBytes, 20_000);
      await generatorRun(producer, topics.generator, 20_000, new WorkerRecordSource(SIMULATION, BATCH));
      for (let round = 1; round <= ROUNDS; round++) {
        const bare = await measure(RECORDS_PER_ROUND, () =>
          bareLoop(producer, topics.bare, valueBytes, RECORDS_PER_ROUND),
        );
        // The worker's start-up (loading, building the faker pools) is not run time.
        const source = new WorkerRecordSource(SIMULATION, BATCH);
        await source.ready();
        const generator = await measure(RECORDS_PER_ROUND, () =>
          generatorRun(producer, topics.generator, RECORDS_PER_ROUND, source),
        );
        rounds.bare.push(bare);
        rounds.generator.push(generator);
        log(
          `round ${round}: bare ${Math.round(bare.rate)}/s (${bare.cpuUs.toFixed(1)} µs CPU/record), ` +
            `generator ${Math.round(generator.rate)}/s (${generator.cpuUs.toFixed(1)} µs CPU/record)`,
        );
      }
    } finally {
      await producer.disconnect();
    }
    const rates = { bare: rounds.bare.map((r) => r.rate), generator: rounds.generator.map((r) => r.rate) };
    const cpu = {
      bare: median(rounds.bare.map((r) => r.cpuUs)),
      generator: median(rounds.generator.map((r) => r.cpuUs)),
    };
    const bare = median(rates.bare);
    const generator = median(rates.generator);
    const ratios = rates.generator.map((rate, i) => rate / (rates.bare[i] ?? rate));
    const ratio = median(ratios);
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const all = (values: number[]) => values.map(fmt).join(' / ');
    process.stdout.write(
      [
        '### Load generator vs bare kafkajs producer',
        '',
        `Same broker (${external === undefined ? 'local single-node KRaft, launched by the bench' : 'KAFKA_BROKERS'}), ` +
          `${PARTITIONS} partitions per topic, records of ${valueBytes} B, idempotent producer, acks=all, ` +
          `batches of ${BATCH}, one batch in flight, no compression; ${ROUNDS} alternating rounds of ` +
          `${fmt(RECORDS_PER_ROUND)} records each, medians shown; ratio = median of the per-round ratios.`,
        '',
        '| method | acked records/s (median) | client CPU µs/record (median) | rounds (records/s) |',
        '| --- | ---: | ---: | --- |',
        `| bare kafkajs loop (pre-built records) | ${fmt(bare)} | ${cpu.bare.toFixed(1)} | ${all(rates.bare)} |`,
        `| load generator (simulation on a worker + pacer + sender) | ${fmt(generator)} | ${cpu.generator.toFixed(1)} | ${all(rates.generator)} |`,
        '',
        `**Ratio generator / bare: ${ratio.toFixed(2)}** (target ≥ 0.80; per round: ${ratios.map((r) => r.toFixed(2)).join(' / ')})`,
        '',
      ].join('\n'),
    );
  } finally {
    await cluster.stop();
  }
};

await main();
