import { spawn } from 'node:child_process';

/** What a run of the load generator's CLI printed and how it ended. */
export interface LoadRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `npm run load -- …` as a user would (same entry point), with its own environment. */
export const runLoad = (args: readonly string[], env: Record<string, string>): Promise<LoadRun> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'load-generator/cli.ts', ...args], {
      // No inherited KAFKA_* / USER_PROFILES_TABLE: each test says where to go.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
