/**
 * Throughput of the embedded ksql engine on a clickstream-like workload.
 *
 * Method: the ksql/ migrations (pageviews TUMBLING, sessions SESSION + EMIT FINAL, trending
 * HOPPING, bot suspects TUMBLING + HAVING) are executed on a fresh engine; N synthetic events
 * (serialised JSON, Kafka key = userId, event times 1-3 ms apart with some disorder) are fed
 * through `engine.process` in one thread, after a warm-up run of the same size on another
 * engine. Reported: input records per second of wall time, for all statements together and for
 * the pageviews statement alone. Run it on an idle machine: other processes on the same cores
 * (the load average is printed) lower the figure. Serialisation of inputs happens before the clock starts; the
 * engine's own deserialisation and serialisation of outputs are measured.
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { KsqlEngine } from '../local/ksql/engine.ts';
import { DEFAULT_VARIABLES, loadMigrations } from '../local/ksql/migrations/migrations.ts';

const N = Number(process.env.KSQL_BENCH_EVENTS ?? 200_000);
const KSQL_DIR = fileURLToPath(new URL('../ksql', import.meta.url));
const encoder = new TextEncoder();
const TYPES = ['page_view', 'page_view', 'page_view', 'click', 'search', 'add_to_cart', 'purchase'] as const;

function workload(n: number): { topic: string; key: Uint8Array; value: Uint8Array; timestamp: number }[] {
  let seed = 42;
  const rnd = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const out = [];
  let t = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    t += 1 + Math.floor(rnd() * 2);
    const userId = `user-${Math.floor(rnd() * 5_000)}`;
    const type = TYPES[Math.floor(rnd() * TYPES.length)] ?? 'page_view';
    const productId = Math.floor(rnd() * 500);
    const product =
      type === 'add_to_cart' || type === 'purchase'
        ? { id: `p-${productId}`, category: `c-${productId % 20}`, price: 9.99, quantity: 1 }
        : null;
    const eventTime = t - Math.floor(rnd() * 500);
    const event = {
      schemaVersion: 1,
      eventId: `e-${i}`,
      type,
      userId,
      sessionId: `s-${userId}`,
      eventTime,
      page: { path: `/page/${Math.floor(rnd() * 200)}`, title: 'Title', referrer: null },
      product,
      query: type === 'search' ? 'shoes' : null,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      ip: '10.0.0.1',
      utm: { source: null, medium: null, campaign: null },
    };
    out.push({
      topic: DEFAULT_VARIABLES.EVENTS_TOPIC as string,
      key: encoder.encode(userId),
      value: encoder.encode(JSON.stringify(event)),
      timestamp: eventTime,
    });
  }
  return out;
}

async function engineWith(only: number[] | undefined): Promise<KsqlEngine> {
  const engine = new KsqlEngine();
  for (const m of await loadMigrations(KSQL_DIR, { ...DEFAULT_VARIABLES, SESSION_GAP: '30 SECONDS' })) {
    if (only === undefined || only.includes(m.version)) engine.executeScript(m.sql);
  }
  return engine;
}

async function warmUp(only: number[] | undefined, records: ReturnType<typeof workload>): Promise<void> {
  const warm = await engineWith(only);
  for (const r of records) warm.process(r);
}

async function measure(
  label: string,
  only: number[] | undefined,
  records: ReturnType<typeof workload>,
): Promise<void> {
  await warmUp(only, records);
  const engine = await engineWith(only);
  let produced = 0;
  const start = process.hrtime.bigint();
  for (const r of records) produced += engine.process(r).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rate = Math.round(records.length / seconds);
  process.stdout.write(
    `${label}: ${records.length} records in ${seconds.toFixed(2)} s = ${rate.toLocaleString('en-US')} records/s (${produced} output records)\n`,
  );
}

const records = workload(N);
process.stdout.write(
  `embedded ksql engine, ${N} clickstream events, node ${process.version}, single thread, load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores\n`,
);
await measure('all migrations (tumbling + session/final + hopping + having)', undefined, records);
await measure('pageviews per minute only (tumbling)', [1, 2], records);
process.stdout.write('target: >= 20,000 records/s\n');
