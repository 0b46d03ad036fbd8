/**
 * `npm run bench:fuzz`: the poison rule (docs/effectively-once.md) over many generated event
 * source mapping payloads (test/support/fuzz/arbitraries.ts), through the aggregation function's path
 * with an in-memory store (test/support/fuzz/harness.ts), each payload delivered twice.
 *
 * Prints the inputs run, the records per outcome (COUNTED or the dead-letter reason), and the
 * crashes (a non-retriable error out of the handler), stalls (a retriable one, with no
 * infrastructure to blame: the batch would be retried forever) and rule violations, which must
 * all be 0; exits 1 otherwise. FUZZ_RUNS sets the payload count (default 100000), FUZZ_SEED
 * the seed.
 */
import fc from 'fast-check';
import { esmEventArb, FUZZ_BASE_TIME } from '../test/support/fuzz/arbitraries.ts';
import { fuzzAggregation } from '../test/support/fuzz/harness.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 100_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
if (!Number.isSafeInteger(runs) || runs < 1)
  throw new Error(`FUZZ_RUNS must be a positive integer, got ${process.env.FUZZ_RUNS}`);
if (!Number.isSafeInteger(seed))
  throw new Error(`FUZZ_SEED must be an integer, got ${process.env.FUZZ_SEED}`);

const outcomes = new Map<string, number>();
const failures = { crash: 0, stall: 0, violation: 0 };
const examples: string[] = [];
let records = 0;
const started = performance.now();
const payloads = fc.sample(esmEventArb(), { numRuns: runs, seed });
for (const payload of payloads) {
  const verdict = await fuzzAggregation(payload, FUZZ_BASE_TIME + 60_000);
  if (verdict.kind === 'ok') {
    for (const [outcome, count] of verdict.outcomes) {
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + count);
      records += count;
    }
    continue;
  }
  failures[verdict.kind] += 1;
  if (examples.length < 3) {
    examples.push(
      `${verdict.kind}: ${verdict.kind === 'violation' ? verdict.detail : String(verdict.error)}\n  ${JSON.stringify(payload).slice(0, 2000)}`,
    );
  }
}
const seconds = (performance.now() - started) / 1000;

console.log(`fuzz: ${payloads.length} payloads, ${records} records, seed ${seed}, ${seconds.toFixed(1)} s`);
console.log('| outcome | records |\n|---|---:|');
for (const [outcome, count] of [...outcomes].sort((a, b) => b[1] - a[1]))
  console.log(`| ${outcome} | ${count} |`);
console.log(`crashes: ${failures.crash}, stalls: ${failures.stall}, rule violations: ${failures.violation}`);
for (const example of examples) console.log(example);
if (failures.crash + failures.stall + failures.violation > 0) process.exitCode = 1;
