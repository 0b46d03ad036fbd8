import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../tooling/paths.ts';
import {
  describeExpectation,
  type Expectation,
  extractRunnableBlocks,
  type RunnableBlock,
  unmetExpectations,
} from '../../support/workshop/runnable-blocks.ts';
import { type BlockResult, runBlock } from './run-block.ts';
import { createWorkshopCheckout, type WorkshopCheckout } from './workshop-checkout.ts';

/**
 * The workshop (docs/workshop/) as a reader follows it: every `sh runnable` block of the
 * numbered modules, in order, run with bash from the root of a fresh copy of the tree, against
 * the local stack the workshop starts itself; each must exit 0 and print what its expect
 * markers say. Whatever happens, the stack is stopped at the end. Each block's output is kept
 * in test-output/workshop/ (and the stack's log, when a block failed).
 */

const WORKSHOP_DIR = join(REPO_ROOT, 'docs', 'workshop');
const OUTPUT_DIR = join(REPO_ROOT, 'test-output', 'workshop');
const MODULE_FILE = /^\d{2}-[a-z0-9-]+\.md$/;

const modules = readdirSync(WORKSHOP_DIR)
  .filter((file) => MODULE_FILE.test(file))
  .sort();
const blocks = modules.flatMap((module) =>
  extractRunnableBlocks(readFileSync(join(WORKSHOP_DIR, module), 'utf8'), module),
);

// A fresh machine: no endpoints from the developer's shell, no colours in the output.
const blockEnv: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
for (const name of [
  'KAFKA_BROKERS',
  'DYNAMODB_ENDPOINT',
  'KSQLDB_URL',
  'ANALYTICS_TABLE',
  'USER_PROFILES_TABLE',
  'STAGE',
  'KAFKA_PROVIDER',
]) {
  delete blockEnv[name];
}

const tail = (text: string, chars: number): string =>
  text.length <= chars ? text : `…${text.slice(text.length - chars)}`;

const failureReport = (block: RunnableBlock, result: BlockResult, unmet: readonly Expectation[]): string =>
  [
    `docs/workshop/${block.module}, runnable block ${block.index} (line ${block.line}) failed:`,
    result.timedOut
      ? `  timed out after ${block.timeoutSeconds} s`
      : `  exit code ${result.exitCode ?? '(killed)'} after ${(result.durationMs / 1000).toFixed(1)} s`,
    ...unmet.map((expectation) => `  output lacks ${describeExpectation(expectation)}`),
    '--- block ---',
    block.code,
    '--- output (last 6000 characters) ---',
    tail(result.output, 6000),
  ].join('\n');

describe('workshop: docs/workshop runs as written', () => {
  let checkout: WorkshopCheckout | undefined;
  let firstFailure: string | undefined;

  beforeAll(() => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    checkout = createWorkshopCheckout(REPO_ROOT);
  }, 60_000);

  afterAll(async () => {
    if (checkout === undefined) return;
    const root = checkout.root;
    try {
      const down = await runBlock('npm run stack -- down', { cwd: root, env: blockEnv, timeoutMs: 60_000 });
      writeFileSync(join(OUTPUT_DIR, 'stack-down.log'), down.output);
      const stackLog = join(root, '.cache', 'stack', 'stack.log');
      if (firstFailure !== undefined && existsSync(stackLog)) {
        copyFileSync(stackLog, join(OUTPUT_DIR, 'stack.log'));
      }
      expect(down.exitCode, `npm run stack -- down failed:\n${down.output}`).toBe(0);
    } finally {
      checkout.remove();
    }
  }, 120_000);

  it('indexes every module in README.md and has runnable blocks to run', () => {
    // Prepare
    const index = readFileSync(join(WORKSHOP_DIR, 'README.md'), 'utf8');

    // Assert
    expect(modules.length).toBeGreaterThan(0);
    expect(modules.filter((module) => !index.includes(`(${module})`))).toEqual([]);
    expect(blocks.length).toBeGreaterThan(0);
  });

  for (const block of blocks) {
    it(`${block.module} block ${block.index} (line ${block.line})`, {
      timeout: block.timeoutSeconds * 1000 + 20_000,
    }, async (context) => {
      if (firstFailure !== undefined) context.skip(`${firstFailure} failed first`);
      if (checkout === undefined) throw new Error('the workshop checkout was not created');

      // Act
      const result = await runBlock(block.code, {
        cwd: checkout.root,
        env: blockEnv,
        timeoutMs: block.timeoutSeconds * 1000,
      });
      writeFileSync(
        join(OUTPUT_DIR, `${block.module.replace(/\.md$/, '')}-block-${block.index}.log`),
        `$ ${block.code.replaceAll('\n', '\n$ ')}\n\n${result.output}`,
      );

      // Assert
      const unmet = unmetExpectations(block, result.output);
      if (result.exitCode !== 0 || unmet.length > 0) {
        firstFailure = `${block.module} block ${block.index}`;
        throw new Error(failureReport(block, result, unmet));
      }
    });
  }
});
