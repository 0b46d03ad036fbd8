/**
 * `npm run bench:fuzz`: the poison rule (docs/effectively-once.md) over many generated inputs,
 * each payload delivered twice, through the functions' handler shape
 * (functions/commons/kafka-batch-handler.ts):
 *
 * 1. aggregate-events over event source mapping payloads (test/support/fuzz/arbitraries.ts) with the
 *    in-memory store, which refuses what DynamoDB refuses (services/limits);
 * 2. aggregate-events over floods on one partition and minute (many distinct long, multibyte and
 *    lone-surrogate paths; maximum orders), in memory;
 * 3. both kinds again with the real DynamoDB store against dynalite (a fresh table each);
 * 4. enrich-sessions over session batches (long user ids, megabyte user agents) with a producer
 *    that refuses what a broker with default limits refuses.
 *
 * Prints the inputs run, the records per outcome, and the crashes (a non-retriable error out of
 * the handler), stalls (a retriable one with no infrastructure to blame: retried forever) and
 * rule violations, which must all be 0; exits 1 otherwise. `--help` for the knobs.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';

const HELP = `Usage: npm run bench:fuzz

Runs the poison rule over generated inputs (docs/effectively-once.md, "Fuzzing the rule").
Environment (defaults; the whole run takes about 2-6 min on a 2-core laptop):
  FUZZ_RUNS           aggregation payloads, in memory (100000)
  FUZZ_FLOODS         one-partition floods of up to 2,500 records, in memory (20)
  FUZZ_DYNALITE_RUNS  aggregation payloads against dynalite, plus FUZZ_FLOODS / 4 floods (200)
  FUZZ_ENRICH_RUNS    enrich-sessions batches (300)
  FUZZ_SEED           the seed (default: from the clock, printed)
Exits 1 on any crash, stall or rule violation.`;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}
// The handler shape logs and publishes metrics through Powertools: quiet for a fuzz run.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';

const { createTables } = await import('../local/dynamodb/tables.ts');
const { startDynalite } = await import('../local/dynamodb/dynalite.ts');
const { localDynamoClient } = await import('../local/stack/stack.ts');
const { esmEventArb, floodEventArb, FUZZ_BASE_TIME } = await import('../test/support/fuzz/arbitraries.ts');
const { dynamoBackend } = await import('../test/support/fuzz/backends.ts');
const { fuzzEnrichment, sessionBatchArb } = await import('../test/support/fuzz/enrichment-harness.ts');
const { fuzzAggregation } = await import('../test/support/fuzz/harness.ts');
// The functions' own (disabled) metrics: the handler shape publishes them after each batch.
const { metrics } = await import('../functions/commons/observability.ts');
type FuzzVerdict = Awaited<ReturnType<typeof fuzzAggregation>>;

const count = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be an integer ≥ 0, got ${process.env[name]}`);
  return value;
};
const runs = count('FUZZ_RUNS', 100_000);
const floods = count('FUZZ_FLOODS', 20);
const dynaliteRuns = count('FUZZ_DYNALITE_RUNS', 200);
const enrichRuns = count('FUZZ_ENRICH_RUNS', 300);
const seed = count('FUZZ_SEED', Date.now() % 2 ** 31);

interface Tally {
  payloads: number;
  records: number;
  outcomes: Map<string, number>;
  failures: { crash: number; stall: number; violation: number };
  examples: string[];
}
const tallies = new Map<string, Tally>();

const record = (section: string, verdict: FuzzVerdict, input: unknown): void => {
  let tally = tallies.get(section);
  if (tally === undefined) {
    tally = {
      payloads: 0,
      records: 0,
      outcomes: new Map(),
      failures: { crash: 0, stall: 0, violation: 0 },
      examples: [],
    };
    tallies.set(section, tally);
  }
  tally.payloads += 1;
  if (verdict.kind === 'ok') {
    for (const [outcome, n] of verdict.outcomes) {
      tally.outcomes.set(outcome, (tally.outcomes.get(outcome) ?? 0) + n);
      tally.records += n;
    }
    return;
  }
  tally.failures[verdict.kind] += 1;
  if (tally.examples.length < 3) {
    const why = verdict.kind === 'violation' ? verdict.detail : String(verdict.error);
    tally.examples.push(`${verdict.kind}: ${why}\n  ${JSON.stringify(input).slice(0, 1000)}`);
  }
};

const now = FUZZ_BASE_TIME + 60_000;
const started = performance.now();
for (const payload of fc.sample(esmEventArb(), { numRuns: runs, seed }))
  record(
    'aggregate-events, in memory',
    await fuzzAggregation(payload, now, undefined, undefined, metrics),
    payload,
  );
for (const payload of floods > 0 ? fc.sample(floodEventArb(), { numRuns: floods, seed }) : [])
  record(
    'aggregate-events floods, in memory',
    await fuzzAggregation(payload, now, undefined, undefined, metrics),
    payload,
  );

if (dynaliteRuns > 0) {
  const dynamo = await startDynalite();
  const client = localDynamoClient(dynamo.endpoint);
  const documentClient = DynamoDBDocumentClient.from(client);
  const inputs: Array<[string, unknown]> = [
    ...fc
      .sample(esmEventArb(), { numRuns: dynaliteRuns, seed: seed + 1 })
      .map((p): [string, unknown] => ['aggregate-events, dynalite', p]),
    ...(floods >= 4
      ? fc.sample(floodEventArb(), { numRuns: Math.floor(floods / 4), seed: seed + 2 })
      : []
    ).map((p): [string, unknown] => ['aggregate-events floods, dynalite', p]),
  ];
  try {
    for (const [section, payload] of inputs) {
      const names = {
        analytics: `fuzz-${randomUUID().slice(0, 8)}`,
        userProfiles: `fuzz-${randomUUID().slice(0, 8)}`,
      };
      await createTables(client, names);
      record(
        section,
        await fuzzAggregation(
          payload,
          now,
          undefined,
          dynamoBackend(client, documentClient, names.analytics),
        ),
        payload,
      );
      for (const table of Object.values(names))
        await client.send(new DeleteTableCommand({ TableName: table }));
    }
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}
for (const batch of enrichRuns > 0
  ? fc.sample(sessionBatchArb(), { numRuns: enrichRuns, seed: seed + 3 })
  : [])
  record(
    'enrich-sessions',
    await fuzzEnrichment(batch),
    batch.map((r) => ({ offset: r.offset, bytes: r.value?.length })),
  );
const seconds = (performance.now() - started) / 1000;

console.log(`fuzz: seed ${seed}, ${seconds.toFixed(1)} s`);
let failed = 0;
for (const [section, tally] of tallies) {
  console.log(`\n${section}: ${tally.payloads} payloads, ${tally.records} records`);
  console.log('| outcome | records |\n|---|---:|');
  for (const [outcome, n] of [...tally.outcomes].sort((a, b) => b[1] - a[1]))
    console.log(`| ${outcome} | ${n} |`);
  const { crash, stall, violation } = tally.failures;
  console.log(`crashes: ${crash}, stalls: ${stall}, rule violations: ${violation}`);
  for (const example of tally.examples) console.log(example);
  failed += crash + stall + violation;
}
if (failed > 0) process.exitCode = 1;
