import { AppError } from '../commons/errors.ts';

/** Base class of the dead-letter service's errors. */
export class DeadLetterError extends AppError {
  readonly code: string = 'DEAD_LETTER';
}

/**
 * Dead letters could not be written. Retriable: a poison record must never be lost, so
 * the batch fails and the event source mapping redelivers it.
 */
export class DeadLetterPublishError extends DeadLetterError {
  override readonly code: string = 'DEAD_LETTER_PUBLISH';
  override readonly retriable = true;
}
