/** Base class of the Secrets Manager stand-in's errors. */
export class SecretsManagerEmulatorError extends Error {
  readonly retriable: boolean = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretsManagerEmulatorError';
  }
}

/**
 * An error the stand-in answers with, typed as Secrets Manager types it on the wire
 * (`__type` of an AWS JSON 1.1 error body).
 */
export class SecretsManagerApiError extends SecretsManagerEmulatorError {
  readonly type: string;
  readonly statusCode: number;

  constructor(type: string, message: string, statusCode = 400) {
    super(message);
    this.name = 'SecretsManagerApiError';
    this.type = type;
    this.statusCode = statusCode;
  }
}
