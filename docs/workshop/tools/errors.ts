import { AppError } from '../../../services/commons/errors.ts';

/** Base class of the workshop tool's errors: the message says what to do. */
export class WorkshopToolError extends AppError {
  readonly code: string = 'WORKSHOP_TOOL';
}

/** Invalid command line: the CLI prints the message with its usage and exits 2. */
export class UsageError extends WorkshopToolError {
  override readonly code: string = 'WORKSHOP_USAGE';
}

/** A wait ran out of time: the CLI prints what it was waiting for and exits 1. */
export class WaitTimeoutError extends WorkshopToolError {
  override readonly code: string = 'WAIT_TIMEOUT';
}
