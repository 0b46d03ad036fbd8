import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (script: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'DEBUG', POWERTOOLS_DEV: '' },
  });

describe('the tools logger', () => {
  it('writes every level to stderr as one JSON object per line, stdout stays the result', () => {
    const result = run(`
      import { createToolLogger } from './tooling/logger.ts';
      const log = createToolLogger('probe');
      log.debug('d', { n: 1 }); log.info('i'); log.warn('w'); log.error('e');
      log.createChild({ persistentKeys: { part: 'child' } }).info('c');
      process.stdout.write('RESULT');
    `);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('RESULT');
    const lines = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.level, line.message, line.service])).toEqual([
      ['DEBUG', 'd', 'probe'],
      ['INFO', 'i', 'probe'],
      ['WARN', 'w', 'probe'],
      ['ERROR', 'e', 'probe'],
      ['INFO', 'c', 'probe'],
    ]);
    expect(lines[0].n).toBe(1);
    expect(lines[4].part).toBe('child');
  });
});
