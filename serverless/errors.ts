import { AppError } from '../services/commons/errors.ts';

/** The resolved serverless configuration could not be read (or `serverless print` failed). */
export class ServerlessConfigError extends AppError {
  readonly code = 'SERVERLESS_CONFIG';
}

/** A function could not be bundled. */
export class BundleError extends AppError {
  readonly code = 'BUNDLE';
}
