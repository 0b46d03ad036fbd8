import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A copy of the working tree that the workshop runs in, as on a fresh clone after `npm ci`. */
export interface WorkshopCheckout {
  readonly root: string;
  remove(): void;
}

/**
 * Copies the repository's files (tracked and untracked, not ignored: what a clone of the
 * working tree holds) to a temporary directory, and links the two things a fresh machine
 * builds once: `node_modules` (`npm ci`) and the Kafka jars (`.cache/kafka`, resolved by
 * Maven on first use, shared so that the copy does not download them again).
 *
 * Why a copy: the stack keeps its endpoints in `<repo>/.cache/stack`, one stack per tree.
 * In the copy, the workshop's `npm run stack -- up` and `down` neither reuse nor stop a
 * stack the developer has running, and nothing of theirs (`.env`, `dist/`, earlier data)
 * changes what a reader would see.
 */
export const createWorkshopCheckout = (repoRoot: string): WorkshopCheckout => {
  const listing = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const root = mkdtempSync(join(tmpdir(), 'clickstream-workshop-'));
  for (const file of listing.split('\0')) {
    const source = join(repoRoot, file);
    // A tracked file deleted in the working tree is not part of it.
    if (file === '' || !existsSync(source)) continue;
    const target = join(root, file);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(source, target);
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  const kafkaCache = join(repoRoot, '.cache', 'kafka');
  mkdirSync(kafkaCache, { recursive: true });
  mkdirSync(join(root, '.cache'), { recursive: true });
  symlinkSync(kafkaCache, join(root, '.cache', 'kafka'), 'dir');
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
};
