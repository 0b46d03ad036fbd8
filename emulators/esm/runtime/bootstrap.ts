/**
 * The runtime inside one function instance (a worker thread): it imports the bundled
 * handler once — the init phase — and then serves invocations, keeping module scope warm
 * across them exactly as a Lambda execution environment does between invokes.
 * This file is bundled by the emulator at start-up and never deployed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { InstanceData, InstanceMessage, InvokeMessage, RuntimeErrorBody } from './protocol.ts';

type Handler = (
  event: unknown,
  context: unknown,
  callback?: (error: unknown, result?: unknown) => void,
) => unknown;

const port = parentPort;
const data = workerData as InstanceData;
const post = (message: InstanceMessage): void => port?.postMessage(message);

const errorBody = (error: unknown): RuntimeErrorBody => {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      stackTrace: (error.stack ?? '')
        .split('\n')
        .slice(1)
        .map((line) => line.trim()),
    };
  }
  return { errorType: 'Error', errorMessage: String(error), stackTrace: [] };
};

/** The Node.js runtime's context object. https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html */
const contextFor = (message: InvokeMessage) => ({
  functionName: data.functionName,
  functionVersion: data.functionVersion,
  invokedFunctionArn: data.invokedFunctionArn,
  memoryLimitInMB: data.memoryLimitInMB,
  awsRequestId: message.requestId,
  logGroupName: data.logGroupName,
  logStreamName: data.logStreamName,
  identity: undefined,
  clientContext: undefined,
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: (): number => Math.max(0, message.deadline - Date.now()),
});

const callHandler = (handler: Handler, event: unknown, context: unknown): Promise<unknown> => {
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      handler(event, context, (error, result) => (error ? reject(error) : resolve(result)));
    });
  }
  return Promise.resolve().then(() => handler(event, context));
};

const init = async (): Promise<Handler> => {
  if (data.enableSourceMaps) process.setSourceMapsEnabled(true);
  const module: Record<string, unknown> = await import(data.handlerUrl);
  const handler = module[data.handlerExport];
  if (typeof handler !== 'function') {
    const error = new Error(`${data.handlerUrl} has no exported function "${data.handlerExport}"`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  return handler as Handler;
};

const started = performance.now();
try {
  const handler = await init();
  post({ type: 'ready', initDurationMs: performance.now() - started });
  port?.on('message', async (message: InvokeMessage) => {
    try {
      const result = await callHandler(handler, message.event, contextFor(message));
      // The response travels as JSON, as through the Runtime API.
      const response: unknown = result === undefined ? null : JSON.parse(JSON.stringify(result));
      post({ type: 'result', requestId: message.requestId, response });
    } catch (error) {
      post({ type: 'error', requestId: message.requestId, error: errorBody(error) });
    }
  });
} catch (error) {
  post({ type: 'init-error', error: errorBody(error) });
}
