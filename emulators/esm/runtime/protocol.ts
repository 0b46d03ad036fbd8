/**
 * Messages between the emulator and a function instance (a worker thread running
 * bootstrap.ts), in the roles of Lambda's Runtime API: init, invoke, result or error.
 */

/** Fixed for the instance's lifetime (what Lambda knows before the first invoke). */
export interface InstanceData {
  /** file: URL of the bundled handler module. */
  readonly handlerUrl: string;
  readonly handlerExport: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly enableSourceMaps: boolean;
}

/** Emulator → instance. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly requestId: string;
  readonly event: unknown;
  /** Epoch ms at which the invocation times out. */
  readonly deadline: number;
}

/** An error as the Node.js runtime reports it. */
export interface RuntimeErrorBody {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace: readonly string[];
}

/** Instance → emulator. */
export type InstanceMessage =
  | { readonly type: 'ready'; readonly initDurationMs: number }
  | { readonly type: 'init-error'; readonly error: RuntimeErrorBody }
  | { readonly type: 'result'; readonly requestId: string; readonly response: unknown }
  | { readonly type: 'error'; readonly requestId: string; readonly error: RuntimeErrorBody };
