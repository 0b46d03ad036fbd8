import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../tooling/paths.ts';
import { type BlockResult, runBlock } from '../support/workshop/run-block.ts';
import {
  captureFrom,
  describeExpectation,
  type Expectation,
  extractRunnableBlocks,
  quotedFigures,
  type RunnableBlock,
  unmetExpectations,
  withFigures,
} from '../support/workshop/runnable-blocks.ts';
import { createWorkshopCheckout, type WorkshopCheckout } from './workshop-checkout.ts';

/**
 * The workshop (docs/workshop/) as a reader follows it: every `sh runnable` block of the
 * numbered modules, in order, run with bash from the root of a fresh copy of the tree, against
 * the local stack the workshop starts itself; each must exit 0 and print what its expect
 * markers say. Whatever happens, the stack is stopped at the end. Each block's output is kept
 * in test-output/workshop/ (and the stack's log, when a block failed).
 *
 * Figures: every `<!--fig:name-->value<!--/fig-->` the modules quote must be what the run's
 * `<!-- capture: name /…/ -->` took from the output, so that a changed figure fails here
 * instead of leaving the text wrong. `WORKSHOP_UPDATE=1` rewrites the quoted values in
 * docs/workshop/ from the run instead (review the diff, then commit it).
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
const UPDATE_FIGURES = process.env.WORKSHOP_UPDATE === '1';
/** The figures the run's outputs yielded, by capture name. */
const captured = new Map<string, string>();
/** The names of the figures the run's inputs fix (`exact` captures). */
const exactFigures = new Set<string>();

// A fresh machine: no endpoints from the developer's shell, no AWS account (the deploy
// commands run up to the point that needs one), no colours in the output.
const blockEnv: NodeJS.ProcessEnv = {
  ...process.env,
  FORCE_COLOR: '0',
  NO_COLOR: '1',
  AWS_CONFIG_FILE: '/nonexistent/workshop-aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/workshop-aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};
for (const name of [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
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

  it('quotes only figures a runnable block captures, each captured once', () => {
    // Prepare
    const names = blocks.flatMap((block) => block.captures.map((capture) => capture.name));
    const quoted = modules.flatMap((module) =>
      quotedFigures(readFileSync(join(WORKSHOP_DIR, module), 'utf8')).map((figure) => ({
        module,
        ...figure,
      })),
    );

    // Assert
    expect(
      names.filter((name, index) => names.indexOf(name) !== index),
      'captured twice',
    ).toEqual([]);
    expect(
      quoted.filter((figure) => !names.includes(figure.name)).map((f) => `${f.module}:${f.line} ${f.name}`),
      'quoted but never captured',
    ).toEqual([]);
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
      for (const capture of block.captures) {
        const value = captureFrom(capture, result.output);
        if (value === undefined) unmet.push({ kind: 'regex', pattern: capture.pattern });
        else captured.set(capture.name, value);
        if (capture.exact) exactFigures.add(capture.name);
      }
      if (result.exitCode !== 0 || unmet.length > 0) {
        firstFailure = `${block.module} block ${block.index}`;
        throw new Error(failureReport(block, result, unmet));
      }
    });
  }

  it('quotes only figures that the run captures, fixed ones exactly, and lists those that drifted', {
    timeout: 30_000,
  }, (context) => {
    if (firstFailure !== undefined) context.skip(`${firstFailure} failed first: the run is incomplete`);
    const drifted: string[] = [];
    const wrong: string[] = [];
    const uncaptured: string[] = [];
    for (const module of modules) {
      const file = join(WORKSHOP_DIR, module);
      const text = readFileSync(file, 'utf8');
      for (const figure of quotedFigures(text)) {
        const value = captured.get(figure.name);
        if (value === undefined) uncaptured.push(`${module}:${figure.line} ${figure.name}`);
        if (value !== undefined && value !== figure.value) {
          const report = `${module}:${figure.line} ${figure.name}: the text says ${figure.value}, the run printed ${value}`;
          (exactFigures.has(figure.name) ? wrong : drifted).push(report);
        }
      }
      if (UPDATE_FIGURES) writeFileSync(file, withFigures(text, captured));
    }
    writeFileSync(
      join(OUTPUT_DIR, 'figures.json'),
      `${JSON.stringify(Object.fromEntries(captured), null, 2)}\n`,
    );
    // Every quoted figure must come from a capture of this run.
    expect(uncaptured, 'quoted figures no block of the run captures').toEqual([]);
    // A figure the run's inputs fix (`exact`) must be the one the text quotes.
    if (!UPDATE_FIGURES) expect(wrong, 'fixed figures the text misquotes').toEqual([]);
    // Figures that depend on timing (batch cuts, a kill's moment, read requests, scaling) differ
    // from run to run, so their drift is reported (here and test-output/workshop/figures.json).
    if (!UPDATE_FIGURES && drifted.length > 0) {
      console.warn(`workshop figures that drifted (WORKSHOP_UPDATE=1 rewrites them):\n${drifted.join('\n')}`);
    }
  });
});
