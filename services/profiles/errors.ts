/** Base class of the user-profile module's errors. */
export class ProfileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProfileError';
  }
}

/**
 * The profile store could not complete a read or a write: DynamoDB failed or kept
 * returning unprocessed items after every retry. Transient by nature — a caller inside a
 * Lambda lets it fail the batch so the event source mapping retries it.
 */
export class ProfileStoreError extends ProfileError {
  readonly retriable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProfileStoreError';
  }
}
