import { AppError } from '../../services/commons/errors.ts';

/** Base class of the Secrets Manager stand-in's errors. */
export class SecretsManagerEmulatorError extends AppError {
  readonly code: string = 'SECRETS_MANAGER_EMULATOR';
}

/**
 * An error the stand-in answers with, typed as Secrets Manager types it on the wire
 * (`__type` of an AWS JSON 1.1 error body).
 */
export class SecretsManagerApiError extends SecretsManagerEmulatorError {
  override readonly code: string = 'SECRETS_MANAGER_API';
  readonly type: string;
  readonly statusCode: number;

  constructor(type: string, message: string, statusCode = 400) {
    super(message);
    this.type = type;
    this.statusCode = statusCode;
  }
}
