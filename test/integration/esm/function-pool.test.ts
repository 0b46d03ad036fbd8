import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvocationError, InvocationFailure } from '../../../emulators/esm/errors.ts';
import { FunctionPool } from '../../../emulators/esm/function-pool.ts';
import type { FunctionDefinition } from '../../../emulators/esm/serverless-config.ts';

// A handler whose init (its module's top-level code) takes INIT_MS, as a slow cold start does.
const SLOW_INIT_HANDLER = `
await new Promise((resolve) => setTimeout(resolve, Number(process.env.INIT_MS)));
export const handler = async (event) => ({ echoed: event });
`;

let dir: string;
let handlerFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'function-pool-'));
  handlerFile = join(dir, 'handler.mjs');
  await writeFile(handlerFile, SLOW_INIT_HANDLER);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pools: FunctionPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.stop()));
});

const slowInitPool = (initMs: number, initTimeoutMs: number, timeoutMs: number): FunctionPool => {
  const fn: FunctionDefinition = {
    key: 'slow-init',
    name: 'clickstream-test-slow-init',
    handlerModule: 'handler',
    handlerExport: 'handler',
    timeoutSeconds: timeoutMs / 1000,
    memorySize: 256,
    reservedConcurrency: undefined,
    region: 'us-east-1',
    runtime: 'nodejs24.x',
    environment: { INIT_MS: String(initMs) },
  };
  const pool = new FunctionPool({ fn, handlerFile, initTimeoutMs, timeoutMs, functionOutput: () => {} });
  pools.push(pool);
  return pool;
};

// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib:
// "The Init phase is limited to 10 seconds. If all three tasks do not complete within 10
// seconds, Lambda retries the Init phase at the time of the first function invocation with the
// configured function timeout." (The limit is scaled down here so the test is short.)
describe('the emulator’s execution environments: an init past the init limit', () => {
  it('is retried within the invocation, bounded by the function timeout, and the invocation succeeds', async () => {
    // Prepare: init takes 600 ms against a 200 ms init limit and a 5 s function timeout.
    const pool = slowInitPool(600, 200, 5000);

    // Act
    const result = await pool.invoke({ n: 1 });

    // Assert: one suppressed init, no error; the retried init is part of the invocation's time.
    expect(result.response).toEqual({ echoed: { n: 1 } });
    expect(result.coldStart).toBe(true);
    expect(result.durationMs).toBeGreaterThanOrEqual(600);
    expect(pool.stats()).toMatchObject({ coldStarts: 1, suppressedInits: 1, errors: 0, timeouts: 0 });
  });

  it('times the invocation out when the retried init does not finish within the function timeout', async () => {
    // Prepare: init takes 1.5 s against a 200 ms init limit and a 1 s function timeout.
    const pool = slowInitPool(1500, 200, 1000);

    // Act
    const failure = await pool.invoke({ n: 2 }).catch((error: unknown) => error);

    // Assert
    expect(failure).toBeInstanceOf(InvocationError);
    expect((failure as InvocationError).failure).toBe(InvocationFailure.Timeout);
    expect(pool.stats()).toMatchObject({ suppressedInits: 1, errors: 1, timeouts: 1, instances: 0 });
  });
});
