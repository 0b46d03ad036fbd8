/**
 * `npm run bench:latency`: produce→handler-start latency through the ESM emulator, for the
 * low-latency set-up AWS documents — provisioned mode and MaximumBatchingWindowInSeconds 0
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-low-latency.html: "consistent
 * end-to-end latencies of less than 100 milliseconds") — against on-demand mode with the
 * deployed window of 1 s, and the aggregation mapping exactly as serverless.yml deploys it
 * (on-demand, BatchSize 10,000, window 5 s): what freshness each choice buys.
 *
 * For each mode: the saturation throughput is measured first (a backlog drained by a fresh
 * mapping), then a paced producer runs at half of it, then at a light load, each on its own
 * topic and consumer group. The function (bench/latency/handler.ts, bundled and run by the
 * emulator like every function) writes, at handler start, now − each record's CreateTime.
 *
 * Uses KAFKA_BROKERS when set; otherwise launches a broker. Prints markdown for
 * BENCHMARKS.md on stdout; progress goes to stderr.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kafka, Producer } from 'kafkajs';
import { z } from 'zod';
import { type Emulator, startEmulator } from '../emulators/esm/emulator.ts';
import { useOrLaunchKafka } from '../local/kafka/use-or-launch.ts';
import { loadServerlessConfig } from '../serverless/print.ts';
import { createKafkaClient } from '../services/kafka/client.ts';
import { createTopics } from '../services/kafka/topics.ts';
import { parseCliArgs, wholeFlag } from '../tooling/cli-args.ts';
import { resolveEndpoints } from '../tooling/endpoints.ts';
import { createToolLogger } from '../tooling/logger.ts';
import { markdownTable } from './common/markdown-table.ts';
import { formatMethod } from './common/method.ts';
import { percentile } from './common/percentile.ts';

const SERVICE_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const PARTITIONS = 6;
const BATCH_SIZE = 100;
const USAGE = `Usage: npm run bench:latency -- [options]

Produce → handler-start latency through the ESM emulator: provisioned mode with window 0
against on-demand mode with a 1 s window and the aggregation mapping as deployed (BatchSize
and window from serverless.yml), each at saturation, half load and light load.
Markdown for BENCHMARKS.md on stdout; progress on stderr. About 3 minutes with the defaults.

Options
  --records <n>      backlog records of the saturation run (default 30000)
  --seconds <s>      seconds of each paced run (default 15)
  --light-rate <n>   records/s of the light load (default 20)
  --warmup <s>       seconds of paced load before measuring, not counted (default 3)
  -h, --help         this text

Environment: KAFKA_BROKERS uses that cluster instead of launching a broker.`;

const count = (flag: string) => wholeFlag(flag).positive(`${flag} must be > 0`);

const parsed = (() => {
  try {
    return parseCliArgs(process.argv.slice(2), {
      options: {
        records: { type: 'string' },
        seconds: { type: 'string' },
        'light-rate': { type: 'string' },
        warmup: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      toInput: (values) => ({
        records: values.records,
        seconds: values.seconds,
        lightRate: values['light-rate'],
        warmup: values.warmup,
      }),
      schema: z.object({
        records: count('--records').default(30_000),
        seconds: count('--seconds').max(600, '--seconds must be ≤ 600').default(15),
        lightRate: count('--light-rate').default(20),
        warmup: wholeFlag('--warmup').min(0, '--warmup must be ≥ 0').default(3),
      }),
    });
  } catch (error) {
    process.stderr.write(
      `bench:latency: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`,
    );
    process.exit(2);
  }
})();
if (parsed.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
// KAFKA_BROKERS, else a broker of the bench's own (not a running stack's: its consumers would load it).
const endpoints = resolveEndpoints(process.env, undefined);
const SATURATION_RECORDS = parsed.options.records;
const SECONDS = parsed.options.seconds;
const LIGHT_RATE = parsed.options.lightRate;
/** Paced load before measuring, so environments are warm (cold starts are Lambda's to avoid: provisioned concurrency). */
const WARMUP_SECONDS = parsed.options.warmup;
/** Sends per second of the paced producer. */
const TICKS_PER_SECOND = 50;

const progress = (message: string): void => {
  process.stderr.write(`[bench:latency] ${message}\n`);
};

interface Mode {
  readonly name: string;
  readonly kafka: Record<string, unknown>;
  readonly esm: Record<string, unknown>;
}

const ModeFixed: readonly Mode[] = [
  {
    name: 'provisioned, window 0',
    kafka: { batchSize: BATCH_SIZE },
    esm: {
      provisionedPollerConfig: { minimumPollers: 1, maximumPollers: PARTITIONS },
      maximumBatchingWindow: 0,
    },
  },
  {
    name: 'on-demand, window 1 s (as deployed)',
    kafka: { batchSize: BATCH_SIZE, maximumBatchingWindow: 1 },
    esm: {},
  },
];

const DeployedKafkaEvent = z.looseObject({
  functions: z.looseObject({
    'aggregate-events': z.looseObject({
      events: z.array(
        z.looseObject({
          kafka: z.looseObject({ batchSize: z.number(), maximumBatchingWindow: z.number() }).optional(),
        }),
      ),
    }),
  }),
});

/** The modes measured: the fixed two, then the aggregation's mapping with its deployed batching. */
const modesOf = (printed: Record<string, unknown>): readonly Mode[] => {
  const kafka = DeployedKafkaEvent.parse(printed).functions['aggregate-events'].events.find(
    (event) => event.kafka !== undefined,
  )?.kafka;
  if (kafka === undefined) throw new Error('serverless.yml: aggregate-events has no kafka event');
  return [
    ...ModeFixed,
    {
      name: `aggregation as deployed: on-demand, BatchSize ${kafka.batchSize.toLocaleString('en')}, window ${kafka.maximumBatchingWindow} s`,
      kafka: { batchSize: kafka.batchSize, maximumBatchingWindow: kafka.maximumBatchingWindow },
      esm: {},
    },
  ];
};

/** The deployed configuration (provider, esbuild) with the benchmark's function in place of the real ones. */
const benchConfig = (
  printed: Record<string, unknown>,
  mode: Mode,
  topic: string,
  brokers: readonly string[],
  latencyFile: string,
): unknown => {
  const custom = (printed.custom ?? {}) as Record<string, unknown>;
  return {
    ...printed,
    functions: {
      latency: {
        handler: 'bench/latency/handler.handler',
        timeout: 30,
        environment: { LATENCY_FILE: latencyFile },
        events: [
          {
            kafka: {
              bootstrapServers: [...brokers],
              topic,
              consumerGroupId: `bench-latency-${randomUUID().slice(0, 8)}`,
              startingPosition: 'TRIM_HORIZON',
              ...mode.kafka,
            },
          },
        ],
      },
    },
    custom: { ...custom, esm: { latency: mode.esm } },
  };
};

const delivered = (emulator: Emulator): number => emulator.stats().mappings[0]?.recordsDelivered ?? 0;

const waitFor = async (check: () => boolean, timeoutMs: number, what: string): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 20));
  }
};

const payload = (n: number): { value: string } => ({
  value: JSON.stringify({ eventId: n, type: 'page_view', at: Date.now() }),
});

interface Run {
  readonly emulator: Emulator;
  readonly topic: string;
  readonly latencyFile: string;
  readonly dir: string;
}

const startRun = async (
  kafka: Kafka,
  brokers: readonly string[],
  printed: Record<string, unknown>,
  mode: Mode,
): Promise<Run> => {
  const topic = `bench-latency-${randomUUID().slice(0, 8)}`;
  await createTopics(kafka, [{ topic, partitions: PARTITIONS }]);
  const dir = mkdtempSync(join(tmpdir(), 'bench-latency-'));
  const latencyFile = join(dir, 'latency.txt');
  writeFileSync(latencyFile, '');
  const emulator = await startEmulator({
    config: benchConfig(printed, mode, topic, brokers, latencyFile),
    serviceDir: SERVICE_DIR,
    brokers,
    bundleDir: join(dir, 'dist'),
    functionOutput: () => {},
  });
  return { emulator, topic, latencyFile, dir };
};

const endRun = async (run: Run): Promise<number[]> => {
  await run.emulator.stop();
  const delays = readFileSync(run.latencyFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map(Number);
  rmSync(run.dir, { recursive: true, force: true });
  return delays;
};

/** Records/s a fresh mapping drains a backlog of SATURATION_RECORDS at. */
const saturation = async (
  kafka: Kafka,
  producer: Producer,
  brokers: readonly string[],
  printed: Record<string, unknown>,
  mode: Mode,
): Promise<number> => {
  const topic = `bench-latency-backlog-${randomUUID().slice(0, 8)}`;
  await createTopics(kafka, [{ topic, partitions: PARTITIONS }]);
  for (let sent = 0; sent < SATURATION_RECORDS; sent += 1000) {
    await producer.send({
      topic,
      acks: 1,
      messages: Array.from({ length: Math.min(1000, SATURATION_RECORDS - sent) }, (_, i) =>
        payload(sent + i),
      ),
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-latency-'));
  const latencyFile = join(dir, 'latency.txt');
  writeFileSync(latencyFile, '');
  const emulator = await startEmulator({
    config: benchConfig(printed, mode, topic, brokers, latencyFile),
    serviceDir: SERVICE_DIR,
    brokers,
    bundleDir: join(dir, 'dist'),
    functionOutput: () => {},
  });
  const started = performance.now();
  await waitFor(() => delivered(emulator) >= SATURATION_RECORDS, 300_000, 'the backlog to drain');
  const seconds = (performance.now() - started) / 1000;
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
  return SATURATION_RECORDS / seconds;
};

/** Produces `rate` records/s for `seconds`, one send per tick, and waits until all are delivered. */
const paced = async (
  producer: Producer,
  run: Run,
  rate: number,
  seconds: number,
): Promise<{ sent: number; pollers: number }> => {
  const perTick = rate / TICKS_PER_SECOND;
  const start = performance.now();
  const before = delivered(run.emulator);
  let sent = 0;
  let due = 0;
  for (let tick = 0; tick < seconds * TICKS_PER_SECOND; tick += 1) {
    due += perTick;
    const count = Math.floor(due - sent);
    if (count > 0) {
      await producer.send({
        topic: run.topic,
        acks: 1,
        messages: Array.from({ length: count }, (_, i) => payload(sent + i)),
      });
      sent += count;
    }
    const next = start + ((tick + 1) * 1000) / TICKS_PER_SECOND;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((wake) => setTimeout(wake, wait));
  }
  await waitFor(() => delivered(run.emulator) >= before + sent, 60_000, 'the paced records to be delivered');
  return { sent, pollers: run.emulator.stats().mappings[0]?.pollers ?? 0 };
};

const main = async (): Promise<void> => {
  const cluster = await useOrLaunchKafka(endpoints.kafka, { log: progress });
  const brokers = [...cluster.connection.brokers];
  const kafka = createKafkaClient(cluster.connection, {
    clientId: 'bench-latency',
    log: createToolLogger('bench-latency', { logLevel: 'ERROR' }),
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const printed = (await loadServerlessConfig({ serviceDir: SERVICE_DIR })) as Record<string, unknown>;

  process.stdout.write(
    formatMethod({
      title: 'ESM latency: produce → handler start (`npm run bench:latency`)',
      steps: [
        `A topic of ${PARTITIONS} partitions, BatchSize ${BATCH_SIZE} (the aggregation mode: its deployed one), the emulator running a function that records, at handler start, now − each record's CreateTime (set by the producer at send).`,
        `Saturation: ${SATURATION_RECORDS.toLocaleString('en')} records produced first, then a fresh mapping drains them; records/s from its start to the last delivery.`,
        `Half load: a paced producer (${TICKS_PER_SECOND} sends/s, acks=1) at half the saturation rate for ${SECONDS} s, on a fresh topic and group; light load: ${LIGHT_RATE} records/s. Each starts with ${WARMUP_SECONDS} s of the same load, not counted (warm environments); p50/p99/max over every record after it.`,
        'Modes: provisioned with MaximumBatchingWindowInSeconds 0 (the low-latency set-up, `--param esmScalingMode=provisioned --param <mapping>BatchWindow=0`), on-demand with a 1 s window (enrich-sessions, segment-stats as deployed), and the aggregation mapping as deployed (on-demand, its BatchSize and window from serverless.yml).',
      ],
      caveats: [
        'One laptop process runs the emulator, its worker-thread functions and the producer; a shared machine adds tail latency. Lambda adds its own network and invoke overhead.',
      ],
    }),
  );

  try {
    await measure(kafka, producer, brokers, printed);
  } finally {
    await producer.disconnect().catch(() => {});
    await cluster.stop();
  }
};

const measure = async (
  kafka: Kafka,
  producer: Producer,
  brokers: readonly string[],
  printed: Record<string, unknown>,
): Promise<void> => {
  const rows: (string | number)[][] = [];
  for (const mode of modesOf(printed)) {
    progress(`${mode.name}: saturation`);
    const capacity = await saturation(kafka, producer, brokers, printed, mode);
    for (const [load, rate] of [
      ['half load', Math.round(capacity / 2)],
      ['light load', LIGHT_RATE],
    ] as const) {
      progress(`${mode.name}: ${load}, ${rate} records/s for ${SECONDS} s`);
      const run = await startRun(kafka, brokers, printed, mode);
      await paced(producer, run, rate, WARMUP_SECONDS);
      writeFileSync(run.latencyFile, '');
      const { sent, pollers } = await paced(producer, run, rate, SECONDS);
      const delays = await endRun(run);
      rows.push([
        mode.name,
        load,
        Math.round(capacity).toLocaleString('en'),
        rate.toLocaleString('en'),
        sent.toLocaleString('en'),
        percentile(delays, 50) ?? '–',
        percentile(delays, 99) ?? '–',
        delays.reduce((max, delay) => Math.max(max, delay), 0),
        pollers,
      ]);
    }
  }
  process.stdout.write(
    `${markdownTable(
      [
        'Mode',
        'Load',
        'Saturation (records/s)',
        'Rate (records/s)',
        'Records',
        'p50 (ms)',
        'p99 (ms)',
        'max (ms)',
        'Pollers at end',
      ],
      rows,
    )}\n`,
  );
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
