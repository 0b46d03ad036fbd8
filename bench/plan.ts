/**
 * `npm run plan`: the scale plan — for 200, 1k, 10k and 100k events/s of the load generator's
 * mix, what the deployed design needs and its whole monthly bill (tooling/monthly-bill.ts), derived from unit costs measured by
 * `npm run bench:pipeline -- --only b` (MEASURED below, dated) and from the AWS quotas that
 * bound it (each cited). A calculation, not a load test: it ends within 2 minutes.
 */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ClickstreamSimulation } from '../load-generator/simulation.ts';
import {
  bucketOf,
  EMPTY_BUCKET,
  encodeBucketPages,
  type PageContribution,
  pageContribution,
  planBucketMerge,
  type StoredBucket,
} from '../services/aggregation/index.ts';
import { decodeEvent } from '../services/clickstream/index.ts';
import { PRICES } from '../tooling/aws-prices.ts';
import { CliUsageError, parseCliArgs } from '../tooling/cli-args.ts';
import { allBills, HOURS_PER_MONTH, type Workload } from '../tooling/monthly-bill.ts';
import { markdownTable } from './common/markdown-table.ts';
import { simulationOptions } from './pipeline/workload.ts';
import { billChart, billReport } from './plan-bill.ts';

const USAGE = `Usage: npm run plan -- [options]

Prints the scale plan (markdown) for 200, 1k, 10k and 100k events/s: partitions, ESM pollers,
Lambda concurrency and GB-s, DynamoDB write units per second, the hottest partition key's
write rate against DynamoDB's 1,000 WCU/s per-key limit; then the whole monthly bill of
every configuration (event poller units, the Kafka cluster, the stream processor, Lambda,
DynamoDB) with the cheapest named at each rate, and the dated list prices with their
sources. Writes a chart of the bill (SVG). Unit costs come from bench:pipeline (b); see
docs/scaling.md. Ends within 2 minutes (the 100k events/s sample dominates).

Options
  --rates <list>   events/s, comma-separated (default 200,1000,10000,100000)
  --chart <path>   where to write the chart (default docs/scaling-bill.svg; none: no chart)
  -h, --help       show this help`;

/**
 * Measured by `npm run bench:pipeline -- --only b` (BENCHMARKS.md): the handler time, and the
 * write units the model below is checked against (printed next to the model's figure).
 */
const MEASURED = {
  asOf: '2026-12-06',
  /** WRU per 10k events at 200 events/s on 2 partitions, window 5 s (bench (b)). */
  wruPer10kAt200: 414,
  /** Read units per event at 200 events/s (the buckets' consistent reads); 0.0024 at 2,000. */
  rruPerEvent: 0.0195,
  /** Handler time per event in full batches (ms), this machine's worker threads. */
  handlerMsPerEvent: 0.035,
} as const;

/**
 * What DynamoDB bills for one partition's page buckets over a minute: the partition's share
 * of the load generator's mix (`events`) folded into the buckets in `flushes` batches, each
 * batch rewriting the buckets it touches at 1 WRU per started KB of the larger of the item
 * before and after (the item's keys and other attributes taken as 120 B).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html#write-operation-consumption
 */
const bucketUnitsPerMinute = (
  rate: number,
  events: number,
  flushes: number,
): { wru: number; largestBucketKb: number } => {
  const records = new ClickstreamSimulation(simulationOptions(rate, Date.UTC(2026, 0, 1))).take(events);
  const contributions: PageContribution[] = [];
  records.forEach((record, offset) => {
    const event = decodeEvent(record.value);
    const counters = pageContribution(event);
    if (Object.keys(counters).length > 0) contributions.push({ offset, path: event.page.path, counters });
  });
  const buckets = new Map<number, StoredBucket>();
  const itemKb = (bucket: StoredBucket): number =>
    bucket.pages.size === 0
      ? 0
      : Math.ceil((120 + Buffer.byteLength(encodeBucketPages(bucket.pages))) / 1024);
  let wru = 0;
  const perFlush = Math.ceil(contributions.length / flushes);
  for (let at = 0; at < contributions.length; at += perFlush) {
    const byBucket = new Map<number, PageContribution[]>();
    for (const c of contributions.slice(at, at + perFlush)) {
      const b = bucketOf(c.path);
      byBucket.set(b, [...(byBucket.get(b) ?? []), c]);
    }
    for (const [b, batch] of byBucket) {
      const before = buckets.get(b) ?? EMPTY_BUCKET;
      const after = planBucketMerge(before, batch).next ?? before;
      buckets.set(b, after);
      wru += Math.max(itemKb(before), itemKb(after));
    }
  }
  return { wru, largestBucketKb: Math.max(0, ...[...buckets.values()].map(itemKb)) };
};

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
  windowSeconds: 5,
  /** Source partitions one conditional update names at most (services/aggregation/data-model.ts). */
  sourcesPerUpdate: 16,
  /** serverless.yml: aggregate-events memorySize. */
  memoryMb: 1024,
} as const;

/** What one event of the load generator's mix takes, measured on 5,000 of them. */
interface RecordSizes {
  /** Bytes in the ESM's JSON payload: base64 key and value plus its fields. */
  readonly payload: number;
  /** Bytes in Kafka: key and value plus the record's overhead in a batch (~70 B). */
  readonly kafka: number;
  /** Closed sessions per event (each one a user-sessions record, an enrichment and a profile write). */
  readonly sessionsPerEvent: number;
}

const measureRecordSizes = (): RecordSizes => {
  const records = new ClickstreamSimulation(simulationOptions(1000, Date.UTC(2026, 0, 1))).take(5000);
  const base64 = (text: string | Buffer): number => Math.ceil(Buffer.byteLength(text) / 3) * 4;
  // topic, partition, offset, timestamp, timestampType, headers: ~150 bytes of JSON.
  const fields = 150;
  // Sessions last minutes: count them over 500 simulated seconds so the cut ones weigh little.
  const sessions = new Set<string>();
  const long = new ClickstreamSimulation(simulationOptions(100, Date.UTC(2026, 0, 1))).take(50_000);
  for (const r of long) {
    try {
      sessions.add(decodeEvent(r.value).sessionId);
    } catch {
      // the mix's bad records on purpose: no session
    }
  }
  return {
    payload: records.reduce((sum, r) => sum + base64(r.key) + base64(r.value) + fields, 0) / records.length,
    kafka:
      records.reduce((sum, r) => sum + Buffer.byteLength(r.key) + r.value.length + 70, 0) / records.length,
    sessionsPerEvent: sessions.size / long.length,
  };
};

/** The aggregation path at one rate: partitions, pollers, batches, write units, Lambda time. */
interface Scale {
  readonly rate: number;
  readonly bytesPerSecond: number;
  readonly partitions: number;
  readonly pollers: number;
  readonly eventsPerBatch: number;
  readonly busy: number;
  readonly gbSecondsPerSecond: number;
  readonly batchesPerSecond: number;
  readonly wruPerSecond: number;
  readonly hottest: { readonly name: string; readonly wcu: number };
  readonly largestBucketKb: number;
}

const scaleAt = (rate: number, sizes: RecordSizes): Scale => {
  const payloadCap = Math.floor(LIMITS.payloadBytes / sizes.payload);
  const bytesPerSecond = rate * sizes.payload;
  const pollers = Math.max(1, Math.ceil(bytesPerSecond / LIMITS.pollerBytesPerSecond));
  // A poller's batch closes at the window or when full (10,000 records or the 6 MB payload),
  // and carries the pending records of each of its partitions: every batch rewrites the
  // buckets of each partition in it (the costlier reading; a batch per partition is cheaper).
  const eventsPerBatch = Math.min(10_000, payloadCap, (rate / pollers) * LIMITS.windowSeconds);
  const batchesPerSecond = rate / eventsPerBatch;
  // Little's law: busy invocations = arrival rate of batches × time each takes.
  const busy = batchesPerSecond * ((eventsPerBatch * MEASURED.handlerMsPerEvent) / 1000);
  // Partitions: enough for the pollers' concurrency (≤ 5 invocations each, one per
  // partition at a time) with room to catch up after a retry; at least the stack's 6.
  const partitions = Math.max(6, 2 ** Math.ceil(Math.log2(Math.max(2 * busy, pollers * 2))));
  const partitionsPerBatch = partitions / pollers;
  const buckets = bucketUnitsPerMinute(
    rate,
    Math.min(60_000, Math.round((60 * rate) / partitions)),
    Math.max(1, Math.round((60 * batchesPerSecond) / pollers)),
  );
  // Every batch: the minute's funnel (one ~25-byte watermark per partition in it, written in
  // updates of at most 16 partitions, each billed for the whole item) and a sketch per partition.
  const funnelKb = Math.ceil((300 + 25 * Math.min(partitions, 1 + partitionsPerBatch)) / 1024);
  const funnelWrites = Math.ceil(partitionsPerBatch / LIMITS.sourcesPerUpdate);
  const bucketWruPerSecond = (partitions * buckets.wru) / 60;
  const wruPerSecond = bucketWruPerSecond + batchesPerSecond * (funnelKb * funnelWrites + partitionsPerBatch);
  // Hottest partition keys: the day's funnel partition (every batch), and each of the
  // minute's eight bucket partitions (every partition's bucket b, each write a bucket's size).
  const funnelKeyWcu = batchesPerSecond * funnelKb * funnelWrites;
  const bucketKeyWcu = bucketWruPerSecond / 8;
  const hottest =
    funnelKeyWcu >= bucketKeyWcu
      ? { name: 'FUNNEL#<day>', wcu: funnelKeyWcu }
      : { name: 'PAGES#<minute>#<b>', wcu: bucketKeyWcu };
  return {
    rate,
    bytesPerSecond,
    partitions,
    pollers,
    eventsPerBatch,
    busy,
    gbSecondsPerSecond: busy * (LIMITS.memoryMb / 1024),
    batchesPerSecond,
    wruPerSecond,
    hottest,
    largestBucketKb: buckets.largestBucketKb,
  };
};

/**
 * The session path, estimated: each closed session is one enrich-sessions record (one
 * eventually consistent profile read, 0.5 RRU, before the reader's cache; no DynamoDB write:
 * the enriched session goes to Kafka), ~2 ms of a 512 MB function; segment stats are a few
 * small writes per 5-minute window and are left out.
 */
const SESSION_PATH = { rruPerSession: 0.5, wruPerSession: 0, msPerSession: 2, memoryMb: 512 } as const;

const usdPerSecond = (scale: Scale, sizes: RecordSizes): { lambda: number; dynamo: number } => {
  const sessions = scale.rate * sizes.sessionsPerEvent;
  const sessionGbs = ((sessions * SESSION_PATH.msPerSession) / 1000) * (SESSION_PATH.memoryMb / 1024);
  const sessionBatches = Math.min(sessions, 2 / LIMITS.windowSeconds);
  return {
    lambda:
      (scale.gbSecondsPerSecond + sessionGbs) * PRICES.lambdaArmGbSecond +
      (scale.batchesPerSecond + sessionBatches) * PRICES.lambdaRequest,
    dynamo:
      (scale.wruPerSecond + sessions * SESSION_PATH.wruPerSession) * PRICES.dynamoWriteUnit +
      (scale.rate * MEASURED.rruPerEvent + sessions * SESSION_PATH.rruPerSession) * PRICES.dynamoReadUnit,
  };
};

/** The persistent statements the stream processor runs (ksql/V000002–V000006). */
const STATEMENTS = 5;

const workloadOf = (scale: Scale, sizes: RecordSizes): Workload => {
  const cost = usdPerSecond(scale, sizes);
  const mb = (scale.rate * sizes.kafka) / 1e6;
  return {
    eventsPerSecond: scale.rate,
    kafkaBytesPerEvent: sizes.kafka,
    // The events topic, and the five smaller topics at the stack's 6 partitions each.
    partitions: scale.partitions + 5 * 6,
    // The aggregation mapping and the stream processor read every event.
    readers: 2,
    retentionDays: 7,
    // aggregate-events, enrich-sessions, segment-stats.
    pollersPerMapping: [scale.pollers, 1, 1],
    mappingMbPerSecond: [mb, mb * sizes.sessionsPerEvent * 2, 0.01],
    statements: STATEMENTS,
    lambdaUsdPerSecond: cost.lambda,
    dynamoUsdPerSecond: cost.dynamo,
  };
};

const scaleRow = (s: Scale): string[] => [
  s.rate.toLocaleString('en-US'),
  (s.bytesPerSecond / 1e6).toFixed(1),
  String(s.partitions),
  String(s.pollers),
  Math.round(s.eventsPerBatch).toLocaleString('en-US'),
  `${Math.max(1, Math.ceil(s.busy))} (busy ${s.busy.toFixed(1)})`,
  s.gbSecondsPerSecond.toFixed(3),
  `${Math.round(s.wruPerSecond).toLocaleString('en-US')} (${((s.wruPerSecond / s.rate) * 10_000).toFixed(0)} per 10k events)`,
  `${s.hottest.wcu.toFixed(1)} ${s.hottest.name} (${((s.hottest.wcu / LIMITS.keyWcuPerSecond) * 100).toFixed(1)} %)`,
  `${s.largestBucketKb} KB`,
];

const PlanFlags = z.object({
  rates: z
    .string()
    .default('200,1000,10000,100000')
    .transform((list) => list.split(',').map(Number))
    .pipe(
      z.array(
        z
          .number({ error: '--rates must be positive whole numbers' })
          .int('--rates must be positive whole numbers')
          .positive('--rates must be positive whole numbers'),
      ),
    ),
  chart: z.string().min(1).default('docs/scaling-bill.svg'),
});

const parseFlags = (): ReturnType<typeof parseCliArgs<typeof PlanFlags>> | number => {
  try {
    return parseCliArgs(process.argv.slice(2), {
      options: {
        rates: { type: 'string' },
        chart: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      toInput: (values) => ({ rates: values.rates, chart: values.chart }),
      schema: PlanFlags,
    });
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return error.exitCode;
  }
};

const main = (): number => {
  const parsed = parseFlags();
  if (typeof parsed === 'number') return parsed;
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { rates, chart } = parsed.options;
  const sizes = measureRecordSizes();
  const scales = rates.map((rate) => scaleAt(rate, sizes));
  const bills = scales.map((scale) => ({ rate: scale.rate, workload: workloadOf(scale, sizes) }));
  process.stdout.write(`${scaleReport(scales, sizes)}\n${billReport(bills)}\n`);
  if (chart !== 'none') {
    writeFileSync(chart, billChart(bills.map(({ rate, workload }) => ({ rate, bills: allBills(workload) }))));
    process.stdout.write(`Chart: ${chart}\n`);
  }
  return 0;
};

const scaleReport = (scales: readonly Scale[], sizes: RecordSizes): string => {
  // The model at bench (b)'s set-up (200 events/s, 2 partitions, a batch per partition per
  // window: its buckets, the funnel and its sketch), next to what bench (b) measured there.
  const check = bucketUnitsPerMinute(200, 6_000, 60 / LIMITS.windowSeconds);
  const checkPer10k = ((2 * check.wru + 2 * (60 / LIMITS.windowSeconds) * 2) / (200 * 60)) * 10_000;
  return [
    '## Scale plan (`npm run plan`)',
    '',
    "Write units are modelled, not extrapolated: each partition's share of the mix is folded into its page buckets batch by batch " +
      '(the real bucket code), each rewrite billed by its size, plus per batch the funnel and a session sketch per partition (docs/scaling.md). ' +
      `Check against bench:pipeline (b) (200 events/s, 2 partitions, window ${LIMITS.windowSeconds} s): the model gives ${checkPer10k.toFixed(0)} WRU per 10k events, bench (b) measured ${MEASURED.wruPer10kAt200} on ${MEASURED.asOf}. ` +
      `Handler time ${MEASURED.handlerMsPerEvent} ms per event (bench (b), full batches). ` +
      `A record takes ${Math.round(sizes.payload)} B in the ESM payload and ${Math.round(sizes.kafka)} B in Kafka (measured on the load generator's mix); ${sizes.sessionsPerEvent.toFixed(3)} sessions per event. ` +
      `Window ${LIMITS.windowSeconds} s, ${LIMITS.memoryMb} MB. A month is ${HOURS_PER_MONTH} h.`,
    '',
    markdownTable(
      [
        'Events/s',
        'MB/s (ESM payload)',
        'Partitions',
        'ESM pollers (≤ 5 MB/s each)',
        'Events per batch',
        'Lambda concurrency',
        'GB-s per s',
        'DynamoDB WRU/s',
        'Hottest key WCU/s (of 1,000)',
        'Largest bucket',
      ],
      scales.map(scaleRow),
    ),
    '',
    "The hottest keys: the day's funnel partition, written by every batch, and the minute's eight page-bucket partitions, which share every partition's page writes (docs/scaling.md).",
    '',
  ].join('\n');
};

process.exitCode = main();
