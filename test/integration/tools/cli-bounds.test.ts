import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recorderConfig } from '../esm/support.ts';

interface Run {
  code: number | null;
  stderr: string;
  ms: number;
}

/** Runs a CLI entry point as `npm run …` does, with only the environment given. */
const run = (entry: string, args: string[], env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, ms: performance.now() - started }));
  });

// A port that accepts TCP and stays silent (a wrong port, a dead proxy), and one that refuses.
const sockets: Socket[] = [];
const silent = createServer((socket) => sockets.push(socket));
let silentBroker = '';
let closedBroker = '';
let esmConfig = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentBroker = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedBroker = `127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const dir = mkdtempSync(join(tmpdir(), 'cli-bounds-'));
  esmConfig = join(dir, 'serverless.json');
  writeFileSync(
    esmConfig,
    JSON.stringify(recorderConfig({ recordDir: dir, kafka: { topic: 'cli-bounds' } })),
  );
});

afterAll(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
});

// Each CLI states the bound in --help: 10 s of connection deadline after start-up.
const BOUND_MS = 20_000;

describe.concurrent('CLIs end within their stated bound when Kafka does not answer', () => {
  for (const broker of ['silent', 'closed'] as const) {
    it(`npm run ksql -- run, on a ${broker} broker: one message naming it, exit 1`, async () => {
      const target = broker === 'silent' ? silentBroker : closedBroker;
      const result = await run('emulators/ksql/cli.ts', ['run', '--brokers', target]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot reach Kafka at ${target}`);
      expect(result.stderr).toContain('KAFKA_BROKERS');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.ms).toBeLessThan(BOUND_MS);
    }, 40_000);

    it(`npm run esm, on a ${broker} broker: one message naming it, exit 1`, async () => {
      const target = broker === 'silent' ? silentBroker : closedBroker;
      const result = await run('emulators/esm/cli.ts', ['--config', esmConfig], { KAFKA_BROKERS: target });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot reach Kafka at ${target}`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.ms).toBeLessThan(BOUND_MS);
    }, 40_000);
  }
});
