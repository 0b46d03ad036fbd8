/** Base class of the dead-letter service's errors. */
export class DeadLetterError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeadLetterError';
  }
}

/**
 * Dead letters could not be written. Retriable: a poison record must never be lost, so
 * the batch fails and the event source mapping redelivers it.
 */
export class DeadLetterPublishError extends DeadLetterError {
  readonly retriable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeadLetterPublishError';
  }
}
