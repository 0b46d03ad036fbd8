/** Base class of the schema registry client's errors. */
export class SchemaRegistryError extends Error {
  /** True when a later attempt can succeed (the registry was down, not wrong). */
  readonly retriable: boolean;

  constructor(message: string, retriable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SchemaRegistryError';
    this.retriable = retriable;
  }
}

/**
 * The registry did not answer, or answered with a server error: retry. Names the URL
 * (SCHEMA_REGISTRY_URL) it tried.
 */
export class SchemaRegistryUnavailableError extends SchemaRegistryError {
  readonly url: string;

  constructor(url: string, detail: string, options?: ErrorOptions) {
    super(`the schema registry at ${url} is unavailable: ${detail} (SCHEMA_REGISTRY_URL)`, true, options);
    this.name = 'SchemaRegistryUnavailableError';
    this.url = url;
  }
}

/** The registry has no schema with this id (Confluent error 40403): the same answer every time. */
export class SchemaNotFoundError extends SchemaRegistryError {
  readonly schemaId: number;

  constructor(schemaId: number, options?: ErrorOptions) {
    super(`the schema registry has no schema with id ${schemaId}`, false, options);
    this.name = 'SchemaNotFoundError';
    this.schemaId = schemaId;
  }
}

/** The registry refused a request (a 4xx other than a missing schema): fix the request, not the registry. */
export class SchemaRegistryRequestError extends SchemaRegistryError {
  readonly errorCode: number | undefined;

  constructor(message: string, errorCode: number | undefined, options?: ErrorOptions) {
    super(message, false, options);
    this.name = 'SchemaRegistryRequestError';
    this.errorCode = errorCode;
  }
}
