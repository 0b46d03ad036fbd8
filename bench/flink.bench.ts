/**
 * `npm run bench:flink`: the same load-generator records through the embedded ksql engine and
 * through Apache Flink (local MiniCluster), both over a real local broker. See the method
 * printed first.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { z } from 'zod';
import { startFlink } from '../local/flink/launcher.ts';
import { startKafka } from '../local/kafka/launcher.ts';
import { startEmbeddedKsql } from '../local/stack/embedded-ksql.ts';
import { STATE_ENGINES, type StateEngine } from '../local/stack/state-engine.ts';
import { createKafkaClient } from '../services/kafka/client.ts';
import { plaintextConnection } from '../services/kafka/connection.ts';
import { countRecords } from '../services/kafka/topic-reader.ts';
import { createTopics } from '../services/kafka/topics.ts';
import { parseCliArgs, wholeFlag } from '../tooling/cli-args.ts';
import { silentLogger } from '../tooling/logger.ts';
import { generateBacklog } from './pipeline/workload.ts';

const USAGE = `Usage: npm run bench:flink -- [options]

Throughput and session latency of the windows on the embedded ksql engine (ksql/) and on
Apache Flink (flink/, a local MiniCluster in one JVM), over the same local Kafka broker.

Options
  --events <n>        records of the throughput run (default 100000)
  --live-seconds <s>  length of the live latency run (default 45)
  --live-rate <n>     events per second of the live run (default 500)
  -h, --help          show this help
Ends within about 15 minutes on a 2-core laptop (two JVM starts, two runs per engine).`;

const PARTITIONS = 6;
const SESSION_GAP_S = 10;
const SESSION_GRACE_S = 2;
const VARIABLES = { SESSION_GAP: `${SESSION_GAP_S} SECONDS`, SESSION_GRACE: `${SESSION_GRACE_S} SECONDS` };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? Number.NaN;

type Kafka = ReturnType<typeof createKafkaClient>;

/** Topics of one engine's run; the windows' outputs are counted on them. */
const topicsOf = (engine: StateEngine, phase: string) => {
  const id = `${engine}-${phase}-${randomUUID().slice(0, 6)}`;
  return {
    EVENTS_TOPIC: `bench-${id}-events`,
    PAGEVIEWS_TOPIC: `bench-${id}-pageviews`,
    SESSIONS_TOPIC: `bench-${id}-sessions`,
    TRENDING_TOPIC: `bench-${id}-trending`,
    BOT_SUSPECTS_TOPIC: `bench-${id}-bots`,
    SESSIONS_ENRICHED_TOPIC: `bench-${id}-enriched`,
    SEGMENT_STATS_TOPIC: `bench-${id}-segments`,
  };
};

const startEngine = async (engine: StateEngine, brokers: string[], topics: Record<string, string>) => {
  const variables = { ...VARIABLES, ...topics, OUTPUT_PARTITIONS: String(PARTITIONS) };
  const applicationId = `bench-${randomUUID().slice(0, 8)}`;
  const started = Date.now();
  const running =
    engine === 'flink'
      ? await startFlink({ brokers, variables, groupId: applicationId })
      : await startEmbeddedKsql({ brokers, variables, applicationId });
  return { stop: running.stop, startMs: Date.now() - started };
};

/** Preloaded records, then one late-enough record per partition so every window closes. */
const throughput = async (engine: StateEngine, kafka: Kafka, brokers: string[], events: number) => {
  const topics = topicsOf(engine, 'tp');
  await createTopics(kafka, [
    { topic: topics.EVENTS_TOPIC, partitions: PARTITIONS },
    { topic: 'clickstream-sessions-enriched', partitions: PARTITIONS },
  ]);
  // Event times an hour ago, not a fixed date: the broker deletes records older than its
  // retention (7 days by default) at its next check, inputs and outputs alike.
  const records = generateBacklog(events, 2000, Date.now() - 60 * 60_000);
  const flushAt = Number(records.at(-1)?.timestamp ?? 0) + 15 * 60_000;
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < records.length; i += 5000)
    await producer.send({ topic: topics.EVENTS_TOPIC, messages: records.slice(i, i + 5000) });
  await producer.send({
    topic: topics.EVENTS_TOPIC,
    messages: Array.from({ length: PARTITIONS }, (_, partition) => ({
      partition,
      key: `flush-${partition}`,
      value: JSON.stringify({
        userId: `flush-${partition}`,
        type: 'page_view',
        eventTime: flushAt,
        page: { path: '/flush' },
      }),
      timestamp: String(flushAt),
    })),
  });
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const { stop, startMs } = await startEngine(engine, brokers, topics);
  const t0 = Date.now();
  let last = { rows: -1, at: t0 };
  // Done when the outputs have not grown for 5 s and sessions have closed: a loaded engine may
  // pause for seconds mid-backlog, so quiet alone is not the end.
  while (Date.now() - last.at < 5000 || (await countRecords(admin, topics.SESSIONS_TOPIC)) === 0) {
    const rows = (
      await Promise.all(
        [topics.SESSIONS_TOPIC, topics.PAGEVIEWS_TOPIC, topics.TRENDING_TOPIC].map((t) =>
          countRecords(admin, t),
        ),
      )
    ).reduce((a, b) => a + b, 0);
    if (rows !== last.rows) last = { rows, at: Date.now() };
    if (Date.now() - t0 > 600_000) throw new Error(`${engine}: outputs still growing after 10 minutes`);
    await sleep(250);
  }
  const sessions = await countRecords(admin, topics.SESSIONS_TOPIC);
  await admin.disconnect();
  await stop();
  return { startMs, seconds: (last.at - t0) / 1000, sessions, rows: last.rows };
};

/** Live load at event time ≈ wall time; latency = a session row's arrival − its last event. */
const latency = async (
  engine: StateEngine,
  kafka: Kafka,
  brokers: string[],
  seconds: number,
  rate: number,
) => {
  const topics = topicsOf(engine, 'live');
  await createTopics(kafka, [{ topic: topics.EVENTS_TOPIC, partitions: PARTITIONS }]);
  const { stop } = await startEngine(engine, brokers, topics);
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId: `bench-reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.SESSIONS_TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const row =
        message.value === null
          ? undefined
          : (JSON.parse(message.value.toString()) as { SESSION_END?: number });
      if (row?.SESSION_END !== undefined) latencies.push(Date.now() - row.SESSION_END);
    },
  });
  const start = Date.now() + 1000;
  const records = generateBacklog(seconds * rate, rate, start);
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < records.length; ) {
    const due = records.slice(i).findIndex((r) => Number(r.timestamp) > Date.now());
    const n = due < 0 ? records.length - i : due;
    if (n > 0) await producer.send({ topic: topics.EVENTS_TOPIC, messages: records.slice(i, i + n) });
    i += n;
    await sleep(20);
  }
  await producer.disconnect();
  await sleep((SESSION_GAP_S + SESSION_GRACE_S + 5) * 1000);
  await consumer.disconnect();
  await stop();
  return { sessions: latencies.length, medianMs: median(latencies), p95Ms: p95(latencies) };
};

const main = async () => {
  const parsed = parseCliArgs(process.argv.slice(2), {
    options: {
      events: { type: 'string', default: '100000' },
      'live-seconds': { type: 'string', default: '45' },
      'live-rate': { type: 'string', default: '500' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    toInput: (v) => ({ events: v.events, liveSeconds: v['live-seconds'], liveRate: v['live-rate'] }),
    schema: z.object({
      events: wholeFlag('--events').positive(),
      liveSeconds: wholeFlag('--live-seconds').positive(),
      liveRate: wholeFlag('--live-rate').positive(),
    }),
  });
  if (parsed.help) {
    console.log(USAGE);
    return;
  }
  const { events, liveSeconds, liveRate } = parsed.options;
  console.log(`Method: ${events} load-generator records (2000/s of event time, ${PARTITIONS} partitions) preloaded on a local
broker, then one record 15 min later on every partition so every window closes; each engine
runs all the windows from the start of the topic. Throughput = records / time from the engine
being up (ksql: runner started; Flink: job submitted) until its outputs stop growing (5 s
quiet, not counted). Latency: ${liveSeconds} s of live load at ${liveRate}/s, event time = wall time;
a session row's arrival on its topic minus its SESSION_END (the session's last event); it
includes the session gap (${SESSION_GAP_S} s) and grace (${SESSION_GRACE_S} s) by design. Machine: ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}.`);
  const kafkaCluster = await startKafka({ heapMb: 1024 });
  const kafka = createKafkaClient(plaintextConnection(kafkaCluster.brokers), {
    clientId: 'bench-flink',
    log: silentLogger,
  });
  try {
    for (const engine of STATE_ENGINES) {
      const tp = await throughput(engine, kafka, kafkaCluster.brokers, events);
      const live = await latency(engine, kafka, kafkaCluster.brokers, liveSeconds, liveRate);
      console.log(
        JSON.stringify({
          engine,
          startSeconds: tp.startMs / 1000,
          recordsPerSecond: Math.round(events / tp.seconds),
          processingSeconds: tp.seconds,
          sessionRows: tp.sessions,
          outputRows: tp.rows,
          liveSessions: live.sessions,
          sessionLatencyMedianMs: live.medianMs,
          sessionLatencyP95Ms: live.p95Ms,
        }),
      );
    }
  } finally {
    await kafkaCluster.stop();
  }
};

await main();
