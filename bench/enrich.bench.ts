/**
 * `npm run bench:enrich`: the enrich-sessions Lambda, measured two ways on a real broker.
 *
 * 1. Produce throughput. The real handler module (imported once: a warm instance) is
 *    invoked with event source mapping payloads of BATCH session rows; its sessions/s
 *    (decode, profiles through the instance's cache, user-agent parsing, JSON, produce
 *    with acks=all) is set against a bare kafkajs producer sending the very records the
 *    handler produced, in the same produce requests, with the same settings, to topics of
 *    the same size. Two more rows run the same enrichment and producer with profiles read from
 *    DynamoDB for every batch, and from memory, to show where the time goes. The methods
 *    take turns batch by batch, so a shared machine's load spikes weigh on all alike; the
 *    median of the rounds is reported. Target: handler ≥ 0.7 × bare.
 * 2. Producer lifecycle. INVOCATIONS small invocations run the same enrichment with a
 *    producer built once per instance (the handler's way) and with a producer created,
 *    connected and disconnected in every invocation. Latency per invocation and TCP
 *    connections opened (counted by a kafkajs socket factory) are reported. Profiles come
 *    from memory here, so only the producer's lifecycle differs.
 *
 * Uses KAFKA_BROKERS / DYNAMODB_ENDPOINT when set; otherwise launches a broker and runs
 * dynalite in a child process (not in this one, whose event loop is being measured).
 * Prints a markdown table on stdout for BENCHMARKS.md; progress goes to stderr.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Kafka, logLevel, type Producer, type ProducerRecord } from 'kafkajs';
import { LazyKafkaProducer } from '../functions/commons/lazy-kafka-producer.ts';
import { createTables } from '../local/dynamodb/tables.ts';
import { useOrLaunchKafka } from '../local/kafka/use-or-launch.ts';
import { localDynamoClient } from '../local/stack/stack.ts';
import type { DeadLetterPublisher, KafkaSender } from '../services/dead-letter/index.ts';
import {
  type EnrichmentDependencies,
  encodeSessionKey,
  enrichSessionBatch,
  type SessionRow,
  UserAgentParser,
} from '../services/enrichment/index.ts';
import { createKafkaClient } from '../services/kafka/client.ts';
import { type KafkaConnection, toKafkaEnv } from '../services/kafka/connection.ts';
import {
  buildKafkaEvent,
  type KafkaEvent,
  sourceRecordsOf,
  toEventRecord,
} from '../services/kafka/esm-event.ts';
import { createTopics } from '../services/kafka/topics.ts';
import {
  DynamoDbProfileStore,
  type ProfileLookup,
  SEGMENTS,
  type UserProfile,
} from '../services/profiles/index.ts';
import { resolveEndpoints } from '../tooling/endpoints.ts';
import { silentLogger } from '../tooling/logger.ts';
import { freePort } from '../tooling/ports.ts';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 50);
const SMALL_BATCH = 20;
const USERS = 5_000;
const PARTITIONS = 6;

const log = (line: string) => process.stderr.write(`${line}\n`);

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];

const userId = (index: number) => `user-${String(index % USERS).padStart(6, '0')}`;

/** Every tenth user has no profile (as bots and new visitors have none). */
const profiles: UserProfile[] = Array.from({ length: USERS }, (_, index) => index)
  .filter((index) => index % 10 !== 0)
  .map((index) => ({
    userId: userId(index),
    segment: SEGMENTS[index % SEGMENTS.length] ?? 'casual',
    country: 'DE',
    signupDate: '2024-01-01',
    marketingOptIn: index % 2 === 0,
  }));

/** Session rows as ksqlDB writes them on the user-sessions topic, offset = index. */
const sessionRecords = (topic: string, count: number, first = 0) =>
  Array.from({ length: count }, (_, i) => {
    const index = first + i;
    const windowStart = Date.parse('2026-11-25T10:00:00Z') + index * 1_000;
    const row: SessionRow = {
      EVENTS: 1 + (index % 12),
      DISTINCT_PAGES: 1 + (index % 5),
      PAGE_VIEWS: 1 + (index % 7),
      ADD_TO_CARTS: index % 3,
      REMOVE_FROM_CARTS: 0,
      PURCHASES: index % 5 === 0 ? 1 : 0,
      REVENUE: index % 5 === 0 ? 49.9 : 0,
      USER_AGENT: USER_AGENTS[index % USER_AGENTS.length] ?? '',
      ENTRY_PAGE: '/',
      EXIT_PAGE: '/products/p-0042',
    };
    return toEventRecord({
      topic,
      partition: 0,
      offset: index,
      timestamp: windowStart + 60_000,
      timestampType: 'CREATE_TIME',
      key: encodeSessionKey({ userId: userId(index), windowStart, windowEnd: windowStart + 60_000 }),
      value: Buffer.from(JSON.stringify(row)),
      headers: [],
    });
  });

const eventsOf = (topic: string, total: number, batch: number, brokers: string): KafkaEvent[] => {
  const all = sessionRecords(topic, total);
  const events: KafkaEvent[] = [];
  for (let at = 0; at < all.length; at += batch) {
    events.push(
      buildKafkaEvent({ eventSource: 'SelfManagedKafka', bootstrapServers: brokers }, [
        { key: `${topic}-0`, records: all.slice(at, at + batch) },
      ]),
    );
  }
  return events;
};

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

/** Runs dynalite in a child process; resolves with its endpoint once it answers. */
const startDynaliteProcess = async (): Promise<{ endpoint: string; child: ChildProcess }> => {
  const port = await freePort();
  const script = `require('dynalite')({ createTableMs: 0, deleteTableMs: 0 }).listen(${port}, '127.0.0.1', () => process.stdout.write('ready\\n'))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ready, failed) => {
    child.once('error', failed);
    child.once('exit', (code) => failed(new Error(`dynalite exited with ${code}`)));
    child.stdout?.once('data', () => ready());
  });
  child.removeAllListeners('exit');
  return { endpoint: `http://127.0.0.1:${port}`, child };
};

/** A kafkajs client whose TCP connections are counted. */
const countingKafka = (brokers: string[], clientId: string) => {
  const counter = { sockets: 0 };
  const kafka = new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    socketFactory: ({ host, port, onConnect }) => {
      counter.sockets += 1;
      const socket = net.connect({ host, port }, onConnect);
      socket.setKeepAlive(true, 60_000);
      return socket;
    },
  });
  return { kafka, counter };
};

/** Records every ProducerRecord it is given, so the bare producer can send the same bytes. */
class CapturingSender implements KafkaSender {
  readonly records: ProducerRecord[] = [];
  async send(record: ProducerRecord): Promise<unknown> {
    this.records.push(record);
    return [];
  }
}

const noDeadLetters: DeadLetterPublisher = { publish: async () => {} };
const silent = new Logger({ logLevel: 'SILENT' });
const noMetrics = { addMetric: () => undefined };

type Stops = Array<() => Promise<void>>;

/** The Kafka cluster (KAFKA_BROKERS or a launched broker) and DynamoDB (or a dynalite child). */
const startInfrastructure = async (
  stops: Stops,
): Promise<{ readonly connection: KafkaConnection; readonly dynamodbEndpoint: string }> => {
  // The environment only: a bench measures on a broker of its own unless told otherwise.
  const endpoints = resolveEndpoints(process.env, undefined);
  if (endpoints.kafka === undefined) log('starting a local Kafka broker');
  const cluster = await useOrLaunchKafka(endpoints.kafka, { log });
  stops.push(cluster.stop);
  let dynamodbEndpoint = endpoints.dynamodbEndpoint;
  if (dynamodbEndpoint === undefined) {
    const dynalite = await startDynaliteProcess();
    stops.push(async () => {
      dynalite.child.kill();
    });
    dynamodbEndpoint = dynalite.endpoint;
  }
  return { connection: cluster.connection, dynamodbEndpoint };
};

const benchTopics = (run: string) => ({
  sessions: `bench-user-sessions-${run}`,
  enriched: `bench-sessions-enriched-${run}`,
  abandoned: `bench-cart-abandoned-${run}`,
  dlq: `bench-dlq-${run}`,
  bare: `bench-bare-${run}`,
  bareAbandoned: `bench-bare-abandoned-${run}`,
  lifecycle: `bench-lifecycle-${run}`,
});
type BenchTopics = ReturnType<typeof benchTopics>;

const createBenchTopics = (connection: KafkaConnection, topics: BenchTopics): Promise<unknown> =>
  createTopics(createKafkaClient(connection, { clientId: 'bench-admin', log: silentLogger }), [
    { topic: topics.enriched, partitions: PARTITIONS },
    { topic: topics.abandoned, partitions: PARTITIONS },
    { topic: topics.bare, partitions: PARTITIONS },
    { topic: topics.bareAbandoned, partitions: PARTITIONS },
    { topic: topics.lifecycle, partitions: PARTITIONS },
    { topic: topics.dlq, partitions: 1 },
  ]);

/** The handler's environment, as serverless.yml would set it; then the module is loaded once. */
const loadHandler = async (
  connection: KafkaConnection,
  dynamodbEndpoint: string,
  userProfilesTable: string,
  topics: BenchTopics,
) => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    ...toKafkaEnv(connection),
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    USER_PROFILES_TABLE: userProfilesTable,
    SESSIONS_ENRICHED_TOPIC: topics.enriched,
    CART_ABANDONED_TOPIC: topics.abandoned,
    DLQ_TOPIC: topics.dlq,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const { handler } = await import('../functions/enrich-sessions/handler.ts');
  const { kafkaProducer } = await import('../functions/commons/clients/kafka.ts');
  const { documentClient } = await import('../functions/commons/clients/dynamodb.ts');
  return { handler, kafkaProducer, documentClient };
};
type LoadedHandler = Awaited<ReturnType<typeof loadHandler>>;

/** Per invocation, the produce requests the handler makes (one per topic), to the bare topics. */
const captureBatches = async (
  events: readonly KafkaEvent[],
  dependencies: EnrichmentDependencies,
  capture: CapturingSender,
): Promise<ProducerRecord[][]> => {
  const batches: ProducerRecord[][] = [];
  for (const event of events) {
    capture.records.length = 0;
    await enrichSessionBatch(sourceRecordsOf(event), dependencies);
    batches.push([...capture.records]);
  }
  return batches;
};

/** Profiles served from memory: the same lookup as the store, without DynamoDB. */
const memoryProfileLookup = () => {
  const byId = new Map(profiles.map((profile) => [profile.userId, profile]));
  return {
    getProfiles: async (ids: readonly string[]): Promise<ProfileLookup> => {
      return {
        profiles: new Map(
          ids.flatMap((id) => {
            const profile = byId.get(id);
            return profile === undefined ? [] : [[id, profile] as const];
          }),
        ),
        invalid: [],
      };
    },
  };
};

const METHODS = ['bare', 'handler', 'uncached', 'memory'] as const;
type Method = (typeof METHODS)[number];

/** Per round and method: sessions/s, and bare time / method time within the round. */
interface Throughput {
  readonly rates: Record<Method, number[]>;
  readonly ratios: Record<Method, number[]>;
}

/** Runs ROUNDS rounds of every batch by every method, each method in turn per batch. */
const measureRounds = async (
  batchCount: number,
  methods: Record<Method, (i: number) => Promise<unknown>>,
): Promise<Throughput> => {
  const rates: Record<Method, number[]> = { bare: [], handler: [], uncached: [], memory: [] };
  const ratios: Record<Method, number[]> = { bare: [], handler: [], uncached: [], memory: [] };
  for (let round = 1; round <= ROUNDS; round += 1) {
    const elapsed: Record<Method, number> = { bare: 0, handler: 0, uncached: 0, memory: 0 };
    for (let i = 0; i < batchCount; i += 1) {
      for (const name of METHODS) {
        const start = performance.now();
        await methods[name](i);
        elapsed[name] += performance.now() - start;
      }
    }
    for (const name of METHODS) {
      rates[name].push((SESSIONS * 1000) / elapsed[name]);
      ratios[name].push(elapsed.bare / elapsed[name]);
    }
    log(
      `round ${round}: ${METHODS.map((name) => `${name} ${Math.round(rates[name].at(-1) ?? 0)}`).join(', ')} sessions/s`,
    );
  }
  return { rates, ratios };
};

/** Part 1's inputs: the invocations, the enrichment's dependencies, the broker and the profile store. */
interface ThroughputSetup {
  readonly brokers: string[];
  readonly events: readonly KafkaEvent[];
  readonly topics: BenchTopics;
  readonly loaded: LoadedHandler;
  readonly captureDependencies: EnrichmentDependencies;
  readonly memoryProfiles: EnrichmentDependencies['profiles'];
  readonly profileStore: DynamoDbProfileStore;
  readonly batches: readonly ProducerRecord[][];
}

/**
 * Part 1: produce throughput of the handler, the same enrichment with profiles from DynamoDB and
 * from memory, and a bare producer sending the handler's records. Returns the figures and how
 * often the handler's producer connected.
 */
const measureThroughput = async (setup: ThroughputSetup) => {
  const { events, batches, loaded, captureDependencies, topics } = setup;
  const bareKafka = new Kafka({ clientId: 'bench-bare', brokers: setup.brokers, logLevel: logLevel.WARN });
  const bare: Producer = bareKafka.producer({ allowAutoTopicCreation: false });
  const sendAll = async (records: readonly ProducerRecord[] = []) => {
    for (const record of records) await bare.send({ ...record, acks: -1 });
  };
  await bare.connect();
  // Warm the paths (metadata, connections, JIT) outside the measured rounds.
  await sendAll(batches[0]);
  await loaded.handler(events[0]);

  const memoryDependencies: EnrichmentDependencies = {
    ...captureDependencies,
    profiles: setup.memoryProfiles,
    producer: loaded.kafkaProducer,
    topics: { sessionsEnriched: topics.enriched, cartAbandoned: topics.abandoned },
  };
  const uncachedDependencies: EnrichmentDependencies = {
    ...memoryDependencies,
    profiles: setup.profileStore,
  };
  // Per batch, each method in turn: on a shared machine, load spikes hit all of them alike.
  const throughput = await measureRounds(events.length, {
    bare: (i: number) => sendAll(batches[i]),
    handler: (i: number) => loaded.handler(events[i]),
    uncached: (i: number) => enrichSessionBatch(sourceRecordsOf(events[i]), uncachedDependencies),
    memory: (i: number) => enrichSessionBatch(sourceRecordsOf(events[i]), memoryDependencies),
  });
  await bare.disconnect();
  const handlerConnects = loaded.kafkaProducer.connectCount;
  await loaded.kafkaProducer.disconnect();
  return { ...throughput, handlerConnects };
};

/** Part 2's figures for one way of holding the producer. */
interface LifecycleFigures {
  readonly latencies: number[];
  readonly connects: number;
  readonly sockets: number;
}

/**
 * Part 2: INVOCATIONS small invocations with a producer built once per instance and with one
 * created per invocation, invocation by invocation, each way in turn, so load spikes weigh on both alike.
 */
const measureLifecycle = async (
  brokers: string[],
  smallEvents: readonly KafkaEvent[],
  lifecycleDependencies: (producer: KafkaSender) => EnrichmentDependencies,
): Promise<{ readonly once: LifecycleFigures; readonly each: LifecycleFigures }> => {
  const once = countingKafka(brokers, 'bench-once');
  const instanceProducer = new LazyKafkaProducer(once.kafka, { maxIdleMs: 300_000 });
  const each = countingKafka(brokers, 'bench-each');
  let perInvocationConnects = 0;
  const onceLatencies: number[] = [];
  const eachLatencies: number[] = [];
  for (const event of smallEvents) {
    let start = performance.now();
    await enrichSessionBatch(sourceRecordsOf(event), lifecycleDependencies(instanceProducer));
    onceLatencies.push(performance.now() - start);

    start = performance.now();
    const producer = each.kafka.producer({ allowAutoTopicCreation: false });
    producer.on(producer.events.CONNECT, () => {
      perInvocationConnects += 1;
    });
    await producer.connect();
    await enrichSessionBatch(sourceRecordsOf(event), lifecycleDependencies(producer));
    await producer.disconnect();
    eachLatencies.push(performance.now() - start);
  }
  await instanceProducer.disconnect();
  return {
    once: {
      latencies: onceLatencies,
      connects: instanceProducer.connectCount,
      sockets: once.counter.sockets,
    },
    each: { latencies: eachLatencies, connects: perInvocationConnects, sockets: each.counter.sockets },
  };
};

/** The markdown for BENCHMARKS.md. */
const report = (
  throughput: Throughput & { readonly handlerConnects: number },
  lifecycle: { readonly once: LifecycleFigures; readonly each: LifecycleFigures },
  producedPerRound: number,
  invocationsPerRound: number,
): string[] => {
  const { rates, ratios } = throughput;
  const row = (name: Method) => `${Math.round(median(rates[name]))} | ${median(ratios[name]).toFixed(2)}`;
  const ms = (value: number) => value.toFixed(1);
  const lifecycleRow = (figures: LifecycleFigures) =>
    `${ms(percentile(figures.latencies, 50))} | ${ms(percentile(figures.latencies, 95))} | ${ms(figures.latencies.reduce((a, b) => a + b, 0) / figures.latencies.length)} | ${figures.connects} | ${figures.sockets} |`;
  return [
    `### Enrichment Lambda (\`npm run bench:enrich\`, ${new Date().toISOString().slice(0, 10)})`,
    '',
    `Produce throughput: ${SESSIONS} sessions in invocations of ${BATCH}, ${producedPerRound} records produced per round (enriched + cart-abandoned), ${PARTITIONS}-partition topics, acks=all; the bare producer makes the handler's produce requests (one per topic per invocation) with the same records; methods take turns batch by batch; median of ${ROUNDS} rounds (ratio = bare time / method time within a round).`,
    '',
    '| Method | sessions/s | ratio |',
    '|---|---:|---:|',
    `| bare kafkajs producer, same records and batches | ${row('bare')} |`,
    `| enrich-sessions handler as deployed (decode, profiles via the instance cache, user agent, produce) | ${row('handler')} (target ≥ 0.70) |`,
    `| same enrichment and producer, profiles read from DynamoDB (dynalite) for every batch | ${row('uncached')} |`,
    `| same enrichment and producer, profiles from memory | ${row('memory')} |`,
    '',
    `Producer lifecycle: ${INVOCATIONS} invocations of ${SMALL_BATCH} sessions each, profiles from memory.`,
    '',
    '| Producer | p50 ms | p95 ms | mean ms | producer connects | TCP connections |',
    '|---|---:|---:|---:|---:|---:|',
    `| once per instance (LazyKafkaProducer, as the handler) | ${lifecycleRow(lifecycle.once)}`,
    `| created per invocation (connect, send, disconnect) | ${lifecycleRow(lifecycle.each)}`,
    '',
    `The warm handler's producer (shared with the in-memory-profiles row) opened its connection ${throughput.handlerConnects} time(s) over ${ROUNDS * invocationsPerRound + 1} handler invocations.`,
  ];
};

/** Creates the topics and tables of this run and seeds the profiles. */
const prepareRun = async (connection: KafkaConnection, dynamodbEndpoint: string) => {
  const run = randomUUID().slice(0, 8);
  const topics = benchTopics(run);
  await createBenchTopics(connection, topics);
  const tables = { analytics: `bench-analytics-${run}`, userProfiles: `bench-profiles-${run}` };
  const dynamo = localDynamoClient(dynamodbEndpoint);
  await createTables(dynamo, tables);
  const profileStore = new DynamoDbProfileStore(DynamoDBDocumentClient.from(dynamo), tables.userProfiles);
  await profileStore.putProfiles(profiles);
  log(`seeded ${profiles.length} profiles; ${SESSIONS} sessions in batches of ${BATCH}, ${ROUNDS} rounds`);
  return { topics, tables, dynamo, profileStore };
};

const main = async () => {
  const stops: Stops = [];
  try {
    const { connection, dynamodbEndpoint } = await startInfrastructure(stops);
    const brokers = [...connection.brokers];
    const { topics, tables, dynamo, profileStore } = await prepareRun(connection, dynamodbEndpoint);
    const loaded = await loadHandler(connection, dynamodbEndpoint, tables.userProfiles, topics);
    stops.push(async () => {
      loaded.documentClient.destroy();
      dynamo.destroy();
    });
    const events = eventsOf(topics.sessions, SESSIONS, BATCH, brokers.join(','));

    // The records the handler produces, captured once, for the bare producer to send.
    const capture = new CapturingSender();
    const captureDependencies: EnrichmentDependencies = {
      profiles: profileStore,
      producer: capture,
      topics: { sessionsEnriched: topics.bare, cartAbandoned: topics.bareAbandoned },
      deadLetters: noDeadLetters,
      userAgents: new UserAgentParser(),
      logger: silent,
      metrics: noMetrics,
    };
    const batches = await captureBatches(events, captureDependencies, capture);
    const producedPerRound = batches.flat().reduce((sum, record) => sum + record.messages.length, 0);
    const memoryProfiles = memoryProfileLookup();
    const throughput = await measureThroughput({
      brokers,
      events,
      topics,
      loaded,
      captureDependencies,
      memoryProfiles,
      profileStore,
      batches,
    });

    // Part 2: producer per invocation vs once per instance.
    const smallEvents = eventsOf(topics.sessions, INVOCATIONS * SMALL_BATCH, SMALL_BATCH, brokers.join(','));
    const lifecycle = await measureLifecycle(brokers, smallEvents, (producer) => ({
      ...captureDependencies,
      profiles: memoryProfiles,
      producer,
      topics: { sessionsEnriched: topics.lifecycle, cartAbandoned: topics.lifecycle },
    }));
    process.stdout.write(`${report(throughput, lifecycle, producedPerRound, events.length).join('\n')}\n`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
};

const HELP = `Usage: npm run bench:enrich [-- --help]

Measures the enrich-sessions Lambda on a real broker: produce throughput against a bare
kafkajs producer making the same produce requests (target >= 0.7x), and a producer created
per invocation against one built once per instance (latency, connections). Prints a
markdown table on stdout (for BENCHMARKS.md); progress on stderr.

Environment:
  KAFKA_BROKERS        use this cluster instead of launching a local broker
  DYNAMODB_ENDPOINT    use this DynamoDB endpoint instead of a dynalite child process
  BENCH_SESSIONS       sessions per round (default 20000)
  BENCH_BATCH          sessions per invocation (default 500)
  BENCH_ROUNDS         rounds (default 3)
  BENCH_INVOCATIONS    invocations in the producer-lifecycle part (default 50)
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) process.stdout.write(HELP);
else await main();
