import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../tooling/paths.ts';

const CHECK = 'node tooling/check-node.cjs && ';
const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('the Node.js version check', () => {
  it('runs first in every npm script', () => {
    const unchecked = Object.entries(scripts).filter(([, command]) => !command.startsWith(CHECK));

    expect(unchecked).toEqual([]);
  });

  it('passes silently on this Node.js', () => {
    const result = spawnSync(process.execPath, ['tooling/check-node.cjs'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });

    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });
});
