/** Base class of the load generator's errors; `exitCode` is what the CLI exits with. */
export class LoadGeneratorError extends Error {
  readonly exitCode: number = 1;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LoadGeneratorError';
  }
}

/** Bad command-line flags: nothing was sent. Exit code 2, as usual for usage errors. */
export class UsageError extends LoadGeneratorError {
  override readonly exitCode = 2;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** A required setting is missing or invalid (environment, or no stack to connect to). */
export class ConfigError extends LoadGeneratorError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Kafka did not answer within the connection timeout (one definition, in services/kafka). */
export { BrokerUnreachableError } from '../services/kafka/errors.ts';
