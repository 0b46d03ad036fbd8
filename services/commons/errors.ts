/**
 * A setting is missing or wrong. Raised once, at start-up, naming every bad setting: fix the
 * configuration, a retry cannot help (`retriable` is false).
 */
export class ConfigError extends Error {
  readonly retriable = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/**
 * Whether a retry can fix `error`: the project's errors say so in a `retriable` property
 * (infrastructure: a store, a broker, a network), poison and configuration errors say false.
 * An error that says nothing is not retriable: a bug that fails one record deterministically
 * must not fail its batch forever, so the caller dead-letters that record
 * (reason `PROCESSING_FAILED`) instead.
 */
export const isRetriable = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && Reflect.get(error, 'retriable') === true;

/** The dead-letter reason of a record whose processing failed in an unexpected, not retriable way. */
export const PROCESSING_FAILED = 'PROCESSING_FAILED';
