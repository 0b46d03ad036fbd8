/** Base class of the event-source-mapping emulator's errors. */
export class EsmError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EsmError';
  }
}

/**
 * A mapping AWS would refuse at `CreateEventSourceMapping` (an `InvalidParameterValueException`):
 * the emulator does not start, and the message names the function and the setting to fix.
 */
export class MappingConfigError extends EsmError {
  readonly functionName: string;
  readonly setting: string;

  constructor(functionName: string, setting: string, detail: string, options?: ErrorOptions) {
    super(`function "${functionName}": ${setting} ${detail}`, options);
    this.name = 'MappingConfigError';
    this.functionName = functionName;
    this.setting = setting;
  }
}

/**
 * Why an invocation failed, named as Lambda reports it (`X-Amz-Function-Error` / the
 * on-failure record's `functionError`, or the invoke API's error type).
 */
export const InvocationFailure = {
  /** The handler threw or rejected. */
  Unhandled: 'Unhandled',
  /** The handler ran past the function's timeout; the instance is discarded. */
  Timeout: 'Sandbox.Timedout',
  /** The runtime died (process.exit, an uncaught exception outside the handler, out of memory). */
  RuntimeExit: 'Runtime.ExitError',
  /** The handler module could not be imported or has no such export. */
  ImportModule: 'Runtime.ImportModuleError',
  /** The event exceeds the 6 MB synchronous invocation payload quota; the function is not invoked. */
  RequestTooLarge: 'RequestEntityTooLargeException',
  /** The response names a batch item that was not in the batch (ReportBatchItemFailures). */
  InvalidBatchItemFailures: 'InvalidBatchItemFailures',
} as const;
export type InvocationFailure = (typeof InvocationFailure)[keyof typeof InvocationFailure];

/** One failed invocation of a function: the batch it carried is retried (or bisected, or dropped). */
export class InvocationError extends EsmError {
  readonly failure: InvocationFailure;

  constructor(failure: InvocationFailure, message: string, options?: ErrorOptions) {
    super(`${failure}: ${message}`, options);
    this.name = 'InvocationError';
    this.failure = failure;
  }
}
