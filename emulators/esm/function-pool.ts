/**
 * Execution environments for one function: a pool of worker threads, each running the
 * bundled handler with its own module scope, reused warm across invocations.
 *
 * As on Lambda (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html):
 * an environment serves one invocation at a time; a new one starts (cold, init phase) when
 * all are busy; an environment whose invocation times out or whose runtime crashes is
 * discarded and never reused; `memorySize` bounds its heap (approximately).
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { InvocationError, InvocationFailure } from './errors.ts';
import type { InstanceData, InstanceMessage, InvokeMessage, RuntimeErrorBody } from './runtime/protocol.ts';
import type { FunctionDefinition } from './serverless-config.ts';

/** What a successful invocation returned. */
export interface InvocationResult {
  readonly requestId: string;
  readonly response: unknown;
  readonly durationMs: number;
  /** True when this invocation started a new environment (and so paid its init). */
  readonly coldStart: boolean;
}

/** Counters of a pool. */
export interface FunctionPoolStats {
  readonly instances: number;
  readonly busy: number;
  readonly coldStarts: number;
  readonly invocations: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Environments discarded after a timeout or a crash. */
  readonly discarded: number;
  /** Inits that passed the 10 s limit and were run again within the invocation's timeout. */
  readonly suppressedInits: number;
}

export interface FunctionPoolOptions {
  readonly fn: FunctionDefinition;
  /** Absolute path of the bundled handler (dist/functions/<name>/handler.mjs). */
  readonly handlerFile: string;
  /** Environment variables added over the function's own (e.g. local endpoints). */
  readonly environmentOverrides?: Readonly<Record<string, string>>;
  /** Init phase limit; Lambda allows 10 s for on-demand init. */
  readonly initTimeoutMs?: number;
  /** Replaces the function's configured timeout (tests). */
  readonly timeoutMs?: number;
  /**
   * Receives each line the function writes to stdout/stderr (what Lambda sends to CloudWatch
   * Logs, EMF metrics included). Without it the lines go to this process' stdout/stderr.
   */
  readonly functionOutput?: FunctionOutput;
}

/** A sink for a function's log lines. */
export type FunctionOutput = (line: string, stream: 'stdout' | 'stderr', functionKey: string) => void;

const forwardLines = (
  source: NodeJS.ReadableStream,
  stream: 'stdout' | 'stderr',
  functionKey: string,
  sink: FunctionOutput,
): void => {
  let pending = '';
  source.setEncoding('utf8');
  source.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      sink(pending.slice(0, newline), stream, functionKey);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  });
  source.on('end', () => {
    if (pending !== '') sink(pending, stream, functionKey);
  });
};

interface Instance {
  readonly id: number;
  readonly worker: Worker;
  busy: boolean;
  invocations: number;
  /** Settles the invocation in progress when the worker dies. */
  onExit: ((error: InvocationError) => void) | undefined;
}

let bootstrapSource: Promise<URL> | undefined;

/** The runtime bootstrap, bundled once per process into a data: URL module. */
const bootstrapUrl = (): Promise<URL> => {
  bootstrapSource ??= build({
    entryPoints: [fileURLToPath(new URL('./runtime/bootstrap.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  }).then((result) => {
    const text = result.outputFiles[0]?.text;
    if (text === undefined) throw new Error('esbuild produced no bootstrap');
    return new URL(`data:text/javascript,${encodeURIComponent(text)}`);
  });
  return bootstrapSource;
};

const describe = (error: RuntimeErrorBody): string => `${error.errorType}: ${error.errorMessage}`;

/** A pool of execution environments for one function. */
export class FunctionPool {
  readonly #options: FunctionPoolOptions;
  readonly #instances = new Set<Instance>();
  readonly #timeoutMs: number;
  #nextId = 1;
  #stopped = false;
  #coldStarts = 0;
  #invocations = 0;
  #errors = 0;
  #timeouts = 0;
  #discarded = 0;
  #suppressedInits = 0;

  constructor(options: FunctionPoolOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? options.fn.timeoutSeconds * 1000;
  }

  /** The environment an instance sees: Lambda's reserved variables, the function's, then the overrides. */
  environment(): Record<string, string> {
    const { fn } = this.#options;
    const inherited = (name: string, fallback: string): string => process.env[name] ?? fallback;
    return {
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'local',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      // No X-Ray daemon on a laptop: Powertools Tracer would try to send segments to one.
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_REGION: fn.region,
      AWS_DEFAULT_REGION: fn.region,
      LAMBDA_TASK_ROOT: dirname(this.#options.handlerFile),
      _HANDLER: `${fn.handlerModule}.${fn.handlerExport}`,
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      PATH: inherited('PATH', '/usr/local/bin:/usr/bin:/bin'),
      // Lambda provides the execution role's credentials; locally any value satisfies the SDK.
      AWS_ACCESS_KEY_ID: inherited('AWS_ACCESS_KEY_ID', 'local'),
      AWS_SECRET_ACCESS_KEY: inherited('AWS_SECRET_ACCESS_KEY', 'local'),
      ...fn.environment,
      ...this.#options.environmentOverrides,
    };
  }

  /** Counters so far. */
  stats(): FunctionPoolStats {
    let busy = 0;
    for (const instance of this.#instances) if (instance.busy) busy += 1;
    return {
      instances: this.#instances.size,
      busy,
      coldStarts: this.#coldStarts,
      invocations: this.#invocations,
      errors: this.#errors,
      timeouts: this.#timeouts,
      discarded: this.#discarded,
      suppressedInits: this.#suppressedInits,
    };
  }

  /**
   * Invokes the function with `event` on an idle environment, starting one if none is idle.
   * `requestId` (the context's awsRequestId) is chosen by the caller, so that it is known
   * whatever the invocation comes to; a new one by default.
   *
   * @throws {InvocationError} when the handler throws, times out, or its runtime dies.
   */
  async invoke(event: unknown, requestId: string = randomUUID()): Promise<InvocationResult> {
    if (this.#stopped) throw new InvocationError(InvocationFailure.RuntimeExit, 'the emulator is stopping');
    this.#invocations += 1;
    let instance = [...this.#instances].find((candidate) => !candidate.busy);
    const coldStart = instance === undefined;
    let budgetMs = this.#timeoutMs;
    if (instance === undefined) {
      this.#coldStarts += 1;
      const started = await this.#coldStart();
      instance = started.instance;
      budgetMs -= started.reinitMs;
    } else {
      instance.busy = true;
    }
    try {
      const result = await this.#run(instance, event, requestId, budgetMs);
      instance.busy = false;
      instance.invocations += 1;
      // A retried init runs inside the invocation, so its time is the invocation's too.
      return { ...result, durationMs: result.durationMs + (this.#timeoutMs - budgetMs), coldStart };
    } catch (error) {
      this.#errors += 1;
      if (error instanceof InvocationError && error.failure === InvocationFailure.Unhandled) {
        instance.busy = false;
      } else {
        await this.#discard(instance);
      }
      throw error;
    }
  }

  /** Terminates every environment. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#instances].map((instance) => this.#discard(instance, false)));
  }

  /**
   * Starts an environment for an invocation. "The Init phase is limited to 10 seconds. If all
   * three tasks do not complete within 10 seconds, Lambda retries the Init phase at the time of
   * the first function invocation with the configured function timeout"
   * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib):
   * an init past the limit is started again, bounded by the function timeout, and the time the
   * second init takes comes out of that invocation's timeout.
   */
  async #coldStart(): Promise<{ instance: Instance; reinitMs: number }> {
    const initTimeoutMs = this.#options.initTimeoutMs ?? 10_000;
    const isTimeout = (error: unknown): boolean =>
      error instanceof InvocationError && error.failure === InvocationFailure.Timeout;
    try {
      return { instance: await this.#start(initTimeoutMs), reinitMs: 0 };
    } catch (error) {
      if (!isTimeout(error)) {
        this.#errors += 1;
        throw error;
      }
      this.#suppressedInits += 1;
    }
    const started = performance.now();
    try {
      const instance = await this.#start(this.#timeoutMs);
      return { instance, reinitMs: performance.now() - started };
    } catch (error) {
      this.#errors += 1;
      if (!isTimeout(error)) throw error;
      this.#timeouts += 1;
      throw new InvocationError(
        InvocationFailure.Timeout,
        `Task timed out after ${(this.#timeoutMs / 1000).toFixed(2)} seconds (init retried after ${initTimeoutMs} ms)`,
      );
    }
  }

  async #start(initTimeoutMs: number): Promise<Instance> {
    const { fn } = this.#options;
    const env = this.environment();
    const data: InstanceData = {
      handlerUrl: pathToFileURL(this.#options.handlerFile).href,
      handlerExport: fn.handlerExport,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${fn.region}:000000000000:function:${fn.name}`,
      memoryLimitInMB: String(fn.memorySize),
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
      enableSourceMaps: (env.NODE_OPTIONS ?? '').includes('--enable-source-maps'),
    };
    const worker = new Worker(await bootstrapUrl(), {
      workerData: data,
      env,
      resourceLimits: { maxOldGenerationSizeMb: fn.memorySize },
      stdout: this.#options.functionOutput !== undefined,
      stderr: this.#options.functionOutput !== undefined,
    });
    const sink = this.#options.functionOutput;
    if (sink !== undefined) {
      forwardLines(worker.stdout, 'stdout', fn.key, sink);
      forwardLines(worker.stderr, 'stderr', fn.key, sink);
    }
    const instance: Instance = { id: this.#nextId++, worker, busy: true, invocations: 0, onExit: undefined };
    this.#instances.add(instance);
    worker.on('error', (error) => {
      instance.onExit?.(new InvocationError(InvocationFailure.RuntimeExit, error.message, { cause: error }));
    });
    worker.on('exit', (code) => {
      if (this.#instances.delete(instance) && !this.#stopped) this.#discarded += 1;
      instance.onExit?.(
        new InvocationError(InvocationFailure.RuntimeExit, `the runtime exited with code ${code}`),
      );
    });

    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new InvocationError(InvocationFailure.Timeout, `init exceeded ${initTimeoutMs} ms`)),
          initTimeoutMs,
        );
        instance.onExit = (error) => {
          clearTimeout(timer);
          reject(error);
        };
        worker.once('message', (message: InstanceMessage) => {
          clearTimeout(timer);
          if (message.type === 'ready') resolve();
          else if (message.type === 'init-error') {
            reject(new InvocationError(InvocationFailure.ImportModule, describe(message.error)));
          } else
            reject(
              new InvocationError(InvocationFailure.RuntimeExit, `unexpected ${message.type} during init`),
            );
        });
      });
    } catch (error) {
      await this.#discard(instance);
      throw error;
    } finally {
      instance.onExit = undefined;
    }
    return instance;
  }

  #run(
    instance: Instance,
    event: unknown,
    requestId: string,
    budgetMs: number,
  ): Promise<Omit<InvocationResult, 'coldStart'>> {
    const started = performance.now();
    const message: InvokeMessage = {
      type: 'invoke',
      requestId,
      event,
      deadline: Date.now() + budgetMs,
    };
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        instance.worker.off('message', onMessage);
        instance.onExit = undefined;
      };
      const timer = setTimeout(() => {
        finish();
        this.#timeouts += 1;
        reject(
          new InvocationError(
            InvocationFailure.Timeout,
            `Task timed out after ${(this.#timeoutMs / 1000).toFixed(2)} seconds (request ${requestId})`,
          ),
        );
      }, budgetMs);
      const onMessage = (reply: InstanceMessage): void => {
        if (!('requestId' in reply) || reply.requestId !== requestId) return;
        finish();
        const durationMs = performance.now() - started;
        if (reply.type === 'result') resolve({ requestId, response: reply.response, durationMs });
        else if (reply.type === 'error') {
          reject(new InvocationError(InvocationFailure.Unhandled, describe(reply.error)));
        }
      };
      instance.onExit = (error) => {
        finish();
        reject(error);
      };
      instance.worker.on('message', onMessage);
      instance.worker.postMessage(message);
    });
  }

  async #discard(instance: Instance, count = true): Promise<void> {
    if (!this.#instances.delete(instance)) return;
    if (count) this.#discarded += 1;
    instance.onExit = undefined;
    await instance.worker.terminate();
  }
}
