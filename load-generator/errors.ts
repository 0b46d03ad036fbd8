import { AppError } from '../services/commons/errors.ts';

/** Base class of the load generator's errors; `exitCode` is what the CLI exits with. */
export class LoadGeneratorError extends AppError {
  readonly code: string = 'LOAD_GENERATOR';
  readonly exitCode: number = 1;
}

/** Bad command-line flags: nothing was sent. Exit code 2, as usual for usage errors. */
export class UsageError extends LoadGeneratorError {
  override readonly code: string = 'LOAD_GENERATOR_USAGE';
  override readonly exitCode = 2;
}

/** A required setting is missing or invalid (environment, or no stack to connect to). */
export class ConfigError extends LoadGeneratorError {
  override readonly code: string = 'LOAD_GENERATOR_CONFIG';
}

/** Kafka did not answer within the connection timeout (one definition, in services/kafka). */
export { BrokerUnreachableError } from '../services/kafka/errors.ts';
