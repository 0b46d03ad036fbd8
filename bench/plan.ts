/**
 * `npm run plan`: the scale plan — for 1k, 10k and 100k events/s of the load generator's
 * mix, what the deployed design needs and costs, derived from unit costs measured by
 * `npm run bench:pipeline -- --only b` (MEASURED below, dated) and from the AWS quotas that
 * bound it (each cited). A calculation, not a load test: it ends in well under a second.
 */
import { z } from 'zod';
import { ClickstreamSimulation } from '../load-generator/simulation.ts';
import { PRICES } from '../tooling/aws-prices.ts';
import { CliUsageError, parseCliArgs } from '../tooling/cli-args.ts';
import { markdownTable } from './common/markdown-table.ts';
import { simulationOptions } from './pipeline/workload.ts';

const USAGE = `Usage: npm run plan -- [options]

Prints the scale plan (markdown) for 1k, 10k and 100k events/s: partitions, ESM pollers,
Lambda concurrency and GB-s, DynamoDB write units per second, the hottest partition key's
write rate against DynamoDB's 1,000 WCU/s per-key limit, and the monthly cost at list
prices. Unit costs come from bench:pipeline (b); see docs/scaling.md. Ends in < 5 s.

Options
  --rates <list>   events/s, comma-separated (default 1000,10000,100000)
  -h, --help       show this help`;

/** Unit costs measured by `npm run bench:pipeline -- --only b` (BENCHMARKS.md). */
const MEASURED = {
  asOf: '2026-12-04',
  /** WRU per event when a batch holds ~2,000 events (200 events/s × the 10 s window). */
  wruPerEventSmallBatch: 0.2033,
  /** WRU per event when batches are cut by the 6 MB payload (~6,000 events). */
  wruPerEventFullBatch: 0.1114,
  rruPerEvent: 0.0015,
  /** Handler time per event in full batches (ms), this machine's worker threads. */
  handlerMsPerEvent: 0.232,
} as const;

/** Documented limits the plan applies. */
const LIMITS = {
  /** https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (synchronous payload). */
  payloadBytes: 6 * 1024 * 1024,
  /** https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html: up to 5 MB/s per event poller. */
  pollerBytesPerSecond: 5 * 1024 * 1024,
  /** https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html: 1,000 WCU/s per partition. */
  keyWcuPerSecond: 1000,
  /** Kafka ESM: at most one concurrent invocation per partition (https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-process.html). */
  invocationsPerPartition: 1,
  /** The deployed window (serverless.yml aggregateBatchWindow). */
  windowSeconds: 10,
  memoryMb: 512,
} as const;

const SECONDS_PER_MONTH = 730 * 3600;

/** Bytes a record takes in the ESM's JSON payload: base64 key and value plus its fields. */
const measureRecordBytes = (): number => {
  const records = new ClickstreamSimulation(simulationOptions(1000, Date.UTC(2026, 0, 1))).take(5000);
  const base64 = (text: string | Buffer): number => Math.ceil(Buffer.byteLength(text) / 3) * 4;
  // topic, partition, offset, timestamp, timestampType, headers: ~150 bytes of JSON.
  const fields = 150;
  return records.reduce((sum, r) => sum + base64(r.key) + base64(r.value) + fields, 0) / records.length;
};

const PlanFlags = z.object({
  rates: z
    .string()
    .default('1000,10000,100000')
    .transform((list) => list.split(',').map(Number))
    .pipe(
      z.array(
        z
          .number({ error: '--rates must be positive whole numbers' })
          .int('--rates must be positive whole numbers')
          .positive('--rates must be positive whole numbers'),
      ),
    ),
});

const main = (): number => {
  let parsed: ReturnType<typeof parseCliArgs<typeof PlanFlags>>;
  try {
    parsed = parseCliArgs(process.argv.slice(2), {
      options: { rates: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      toInput: (values) => ({ rates: values.rates }),
      schema: PlanFlags,
    });
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return error.exitCode;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { rates } = parsed.options;
  const recordBytes = measureRecordBytes();
  const payloadCap = Math.floor(LIMITS.payloadBytes / recordBytes);
  const rows = rates.map((rate) => {
    const eventsPerBatch = Math.min(10_000, payloadCap, rate * LIMITS.windowSeconds);
    const wruPerEvent =
      eventsPerBatch >= payloadCap ? MEASURED.wruPerEventFullBatch : MEASURED.wruPerEventSmallBatch;
    const batchesPerSecond = rate / eventsPerBatch;
    const invocationSeconds = (eventsPerBatch * MEASURED.handlerMsPerEvent) / 1000;
    // Little's law: busy invocations = arrival rate of batches × time each takes.
    const busy = batchesPerSecond * invocationSeconds;
    const concurrency = Math.max(1, Math.ceil(busy));
    // Twice the concurrency, so a partition is busy half the time and catches up after a retry.
    const partitions = Math.max(6, 2 ** Math.ceil(Math.log2(2 * busy)));
    const bytesPerSecond = rate * recordBytes;
    const pollers = Math.max(1, Math.ceil(bytesPerSecond / LIMITS.pollerBytesPerSecond));
    const gbSecondsPerSecond = busy * (LIMITS.memoryMb / 1024);
    const wruPerSecond = rate * wruPerEvent;
    // Every batch writes the current minute's funnel (and the Zipf top page) once; the item
    // carries one ~25-byte watermark per source partition (docs/data-model.md), so it grows
    // with the partitions, and a write costs 1 WRU per started KB.
    const hottestItemKb = Math.ceil((300 + 25 * partitions) / 1024);
    const hottestKeyWcu = batchesPerSecond * hottestItemKb;
    const monthly =
      SECONDS_PER_MONTH *
      (gbSecondsPerSecond * PRICES.lambdaArmGbSecond +
        batchesPerSecond * PRICES.lambdaRequest +
        wruPerSecond * PRICES.dynamoWriteUnit +
        rate * MEASURED.rruPerEvent * PRICES.dynamoReadUnit);
    const naiveMonthly = SECONDS_PER_MONTH * rate * PRICES.dynamoWriteUnit;
    return [
      rate.toLocaleString('en-US'),
      (bytesPerSecond / 1e6).toFixed(1),
      partitions,
      pollers,
      eventsPerBatch.toLocaleString('en-US'),
      `${concurrency} (busy ${busy.toFixed(1)})`,
      gbSecondsPerSecond.toFixed(2),
      Math.round(wruPerSecond).toLocaleString('en-US'),
      `${hottestKeyWcu.toFixed(1)} (${((hottestKeyWcu / LIMITS.keyWcuPerSecond) * 100).toFixed(1)} %)`,
      `$${Math.round(monthly).toLocaleString('en-US')}`,
      `$${Math.round(naiveMonthly).toLocaleString('en-US')}`,
    ];
  });
  process.stdout.write(
    [
      '## Scale plan (`npm run plan`)',
      '',
      `Unit costs measured by bench:pipeline (b) on ${MEASURED.asOf}: ${MEASURED.wruPerEventSmallBatch} WRU/event in batches of ~2,000, ` +
        `${MEASURED.wruPerEventFullBatch} in payload-full batches; ${MEASURED.handlerMsPerEvent} ms of handler per event. ` +
        `A record takes ${Math.round(recordBytes)} B in the ESM payload (measured on the load generator's mix), so a 6 MB payload holds ${payloadCap.toLocaleString('en-US')}. ` +
        `Window ${LIMITS.windowSeconds} s, ${LIMITS.memoryMb} MB. Prices: ${PRICES.region} list prices of ${PRICES.asOf}; a month is 730 h.`,
      '',
      markdownTable(
        [
          'Events/s',
          'MB/s',
          'Partitions',
          'ESM pollers (≤ 5 MB/s each)',
          'Events per batch',
          'Lambda concurrency',
          'GB-s per s',
          'DynamoDB WRU/s',
          'Hottest key WCU/s (of 1,000)',
          'Monthly cost (ours)',
          'Monthly DynamoDB cost, one PutItem per event',
        ],
        rows,
      ),
      '',
      "The hottest keys are the current minute's funnel item, its top-pages item and the most viewed page: each is written by every batch, so their rate is the batch rate, not the event rate (docs/scaling.md).",
      '',
    ].join('\n'),
  );
  return 0;
};

process.exitCode = main();
