/** Base class of the workshop tool's errors: the message says what to do. */
export class WorkshopToolError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WorkshopToolError';
  }
}

/** Invalid command line: the CLI prints the message with its usage and exits 2. */
export class UsageError extends WorkshopToolError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** A wait ran out of time: the CLI prints what it was waiting for and exits 1. */
export class WaitTimeoutError extends WorkshopToolError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WaitTimeoutError';
  }
}
