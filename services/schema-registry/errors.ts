import { AppError } from '../commons/errors.ts';

/** Base class of the schema registry client's errors. */
export class SchemaRegistryError extends AppError {
  readonly code: string = 'SCHEMA_REGISTRY';

  /** @param retriable true when a later attempt can succeed (the registry was down, not wrong). */
  constructor(message: string, retriable: boolean, options?: ErrorOptions) {
    super(message, { ...options, retriable });
  }
}

/**
 * The registry did not answer, or answered with a server error: retry. Names the URL
 * (SCHEMA_REGISTRY_URL) it tried.
 */
export class SchemaRegistryUnavailableError extends SchemaRegistryError {
  override readonly code: string = 'SCHEMA_REGISTRY_UNAVAILABLE';
  readonly url: string;

  constructor(url: string, detail: string, options?: ErrorOptions) {
    super(`the schema registry at ${url} is unavailable: ${detail} (SCHEMA_REGISTRY_URL)`, true, options);
    this.url = url;
  }
}

/** The registry has no schema with this id (Confluent error 40403): the same answer every time. */
export class SchemaNotFoundError extends SchemaRegistryError {
  override readonly code: string = 'SCHEMA_NOT_FOUND';
  readonly schemaId: number;

  constructor(schemaId: number, options?: ErrorOptions) {
    super(`the schema registry has no schema with id ${schemaId}`, false, options);
    this.schemaId = schemaId;
  }
}

/** The registry refused a request (a 4xx other than a missing schema): fix the request, not the registry. */
export class SchemaRegistryRequestError extends SchemaRegistryError {
  override readonly code: string = 'SCHEMA_REGISTRY_REQUEST';
  readonly errorCode: number | undefined;

  constructor(message: string, errorCode: number | undefined, options?: ErrorOptions) {
    super(message, false, options);
    this.errorCode = errorCode;
  }
}
