import { AppError } from '../../services/commons/errors.ts';

/** Base class of the event-source-mapping emulator's errors. */
export class EsmError extends AppError {
  readonly code: string = 'ESM';
}

/**
 * A mapping AWS would refuse at `CreateEventSourceMapping` (an `InvalidParameterValueException`):
 * the emulator does not start, and the message names the function and the setting to fix.
 */
export class MappingConfigError extends EsmError {
  override readonly code: string = 'MAPPING_CONFIG';
  readonly functionName: string;
  readonly setting: string;

  constructor(functionName: string, setting: string, detail: string, options?: ErrorOptions) {
    super(`function "${functionName}": ${setting} ${detail}`, options);
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
  override readonly code: string = 'INVOCATION';
  readonly failure: InvocationFailure;

  constructor(failure: InvocationFailure, message: string, options?: ErrorOptions) {
    super(`${failure}: ${message}`, options);
    this.failure = failure;
  }
}

/**
 * A mapping's authentication secret cannot be used: missing, unreadable, or not the
 * `{"username", "password"}` JSON Lambda reads. The emulator does not start.
 */
export class MappingSecretError extends EsmError {
  override readonly code: string = 'MAPPING_SECRET';
  readonly functionName: string;
  readonly secretId: string;

  constructor(
    functionName: string,
    secretId: string,
    /** Where the secret is named, e.g. `SourceAccessConfigurations (BASIC_AUTH, SASL/PLAIN)`. */
    setting: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`function "${functionName}": the secret ${secretId} of its ${setting} ${detail}`, options);
    this.functionName = functionName;
    this.secretId = secretId;
  }
}

/** A mapping's LastProcessingResult when the cluster refuses its credentials (with-kafka-troubleshoot.html). */
export const SASL_AUTHENTICATION_FAILED = 'PROBLEM: SASL authentication failed';

/**
 * The cluster refused a mapping's SASL credentials. Lambda reports this in the mapping's
 * LastProcessingResult as "SASL authentication failed"
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-troubleshoot.html); the emulator
 * stops that mapping at once instead of reconnecting with the same credentials.
 */
export class MappingAuthenticationError extends EsmError {
  override readonly code: string = 'MAPPING_AUTHENTICATION';
  readonly functionName: string;
  readonly brokers: readonly string[];
  readonly lastProcessingResult = SASL_AUTHENTICATION_FAILED;

  constructor(
    functionName: string,
    mechanism: string,
    secretId: string,
    brokers: readonly string[],
    options: ErrorOptions & { cause: Error },
  ) {
    super(
      `function "${functionName}": Kafka at ${brokers.join(', ')} refused the ${mechanism} credentials of secret ${secretId} (SASL authentication failed): ${options.cause.message}`,
      options,
    );
    this.functionName = functionName;
    this.brokers = brokers;
  }
}
