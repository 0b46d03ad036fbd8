import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PipelineBenchError } from './errors.ts';

/** A DynamoDB endpoint for the run. */
export interface DynamoEndpoint {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const Ready = z.object({ endpoint: z.url() });

/**
 * Starts dynalite in a child process (bench/pipeline/dynalite-process.ts, run with this
 * process's tsx loader) and waits for its endpoint. The child exits when this process
 * closes its stdin — on `stop()`, or when this process dies.
 */
export const startDynaliteProcess = async (): Promise<DynamoEndpoint> => {
  const script = fileURLToPath(new URL('./dynalite-process.ts', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(() => {
    throw new PipelineBenchError('dynalite exited before it was ready');
  });
  const ready = (async () => {
    for await (const line of lines) return Ready.parse(JSON.parse(line));
    throw new PipelineBenchError('dynalite closed its output before it was ready');
  })();
  const { endpoint } = await Promise.race([ready, exited]);
  exited.catch(() => {});
  return {
    endpoint,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = once(child, 'exit');
      child.stdin?.end();
      await gone;
    },
  };
};
