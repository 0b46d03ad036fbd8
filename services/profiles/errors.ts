import { AppError } from '../commons/errors.ts';

/** Base class of the user-profile module's errors. */
export class ProfileError extends AppError {
  readonly code: string = 'PROFILE';
}

/**
 * The profile store could not complete a read or a write: DynamoDB failed or kept
 * returning unprocessed items after every retry. Transient by nature — a caller inside a
 * Lambda lets it fail the batch so the event source mapping retries it.
 */
export class ProfileStoreError extends ProfileError {
  override readonly code: string = 'PROFILE_STORE';
  override readonly retriable = true;
}
