import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../tooling/paths.ts';
import { runBlock } from '../support/workshop/run-block.ts';
import {
  describeExpectation,
  extractRunnableBlocks,
  unmetExpectations,
} from '../support/workshop/runnable-blocks.ts';

/**
 * The README's sample outputs cannot drift from what runs: each `sh runnable` block of
 * README.md is run from the repository root, and its `<!-- expect: … -->` markers must hold
 * both for that run's output and for the sample the README prints under it (the README with
 * its markers taken out), the same convention as the workshop (docs/workshop/README.md).
 */

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const blocks = extractRunnableBlocks(README, 'README.md');
const shown = README.split('\n')
  .filter((line) => !/^<!--\s*expect:/.test(line))
  .join('\n');

// The developer's own endpoints would change what the README's commands do.
const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
for (const name of ['KAFKA_BROKERS', 'DYNAMODB_ENDPOINT', 'SCHEMA_REGISTRY_URL', 'KSQLDB_URL'])
  delete env[name];

describe('README.md: its samples are what its commands print', () => {
  it('has runnable blocks, each with expectations its sample meets', () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(block.expectations.length, `README.md:${block.line} has no expect markers`).toBeGreaterThan(0);
      expect(
        unmetExpectations(block, shown).map(describeExpectation),
        `README.md:${block.line}'s sample`,
      ).toEqual([]);
    }
  });

  for (const block of blocks) {
    it(`README.md:${block.line} prints what the README shows`, {
      timeout: block.timeoutSeconds * 1000 + 20_000,
    }, async () => {
      // Act
      const result = await runBlock(block.code, {
        cwd: REPO_ROOT,
        env,
        timeoutMs: block.timeoutSeconds * 1000,
      });

      // Assert
      expect(result.exitCode, result.output.slice(-6000)).toBe(0);
      expect(
        unmetExpectations(block, result.output).map(describeExpectation),
        result.output.slice(-6000),
      ).toEqual([]);
    });
  }
});
