import { spawn } from 'node:child_process';

/** How a block's script ended. */
export interface BlockResult {
  /** The exit code, or undefined when it was killed (timed out). */
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  /** stdout and stderr interleaved as they came, colours removed. */
  readonly output: string;
  readonly durationMs: number;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences is the point
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

const isGroupAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Ends a process group: SIGTERM (graceful stops commit and close), then SIGKILL. */
const endGroup = async (pgid: number, graceMs: number): Promise<void> => {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isGroupAlive(pgid) && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 100));
  if (isGroupAlive(pgid)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone in between
    }
  }
};

/**
 * Runs a script with `bash` and `set -euo pipefail`, as a reader pasting it into a terminal
 * would, in its own process group. When it ends, or after `timeoutMs`, whatever it left in
 * that group (a command sent to the background) is stopped too. Processes that detach into a
 * session of their own on purpose, like the stack daemon, are not touched.
 */
export const runBlock = (
  script: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<BlockResult> =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('bash', ['--noprofile', '--norc', '-c', `set -euo pipefail\n${script}`], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = child.pid;
    if (pgid === undefined) {
      reject(new Error('bash could not be started'));
      return;
    }
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void endGroup(pgid, 10_000);
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const closed = new Promise<void>((done) => child.on('close', () => done()));
    // 'exit', not 'close': a background process still holding the pipes must not keep the
    // block running; once the group is ended the pipes close and the last output is in.
    child.on('exit', (code) => {
      clearTimeout(timer);
      void endGroup(pgid, 10_000)
        .then(() => Promise.race([closed, new Promise((wake) => setTimeout(wake, 2_000))]))
        .then(() =>
          resolve({
            exitCode: code ?? undefined,
            timedOut,
            output: output.replace(ANSI, ''),
            durationMs: Date.now() - started,
          }),
        );
    });
  });
