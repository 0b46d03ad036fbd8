/**
 * A client for the subset of the Confluent Schema Registry REST API this project uses
 * (https://docs.confluent.io/platform/current/schema-registry/develop/api.html): register a
 * schema under a subject, fetch a schema by id. Works against Confluent's registry, Apicurio's
 * Confluent-compatible API (`/apis/ccompat/v7`) and emulators/schema-registry.
 */
import { z } from 'zod';
import { SchemaNotFoundError, SchemaRegistryRequestError, SchemaRegistryUnavailableError } from './errors.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** Confluent's error body: `{ "error_code": 40403, "message": "Schema not found" }`. */
const ErrorBodySchema = z.object({ error_code: z.number().int(), message: z.string() });
const RegisteredSchema = z.object({ id: z.number().int().nonnegative() });
const SchemaByIdSchema = z.object({ schema: z.string(), schemaType: z.string().optional() });

/** Confluent's code for "Schema not found" (GET /schemas/ids/{id}). */
export const SCHEMA_NOT_FOUND = 40403;

export interface SchemaRegistryClientOptions {
  /** The registry's base URL, e.g. http://127.0.0.1:8081. */
  readonly url: string;
  /** BASIC_AUTH credentials, as `user:password`. */
  readonly basicAuth?: string;
  /** Per-request deadline; a registry that does not answer in time is unavailable. */
  readonly timeoutMs?: number;
}

/** A schema as the registry stores it. */
export interface RegistrySchema {
  readonly id: number;
  /** The schema text (Avro JSON). */
  readonly schema: string;
  /** AVRO unless the registry says otherwise. */
  readonly schemaType: string;
}

export interface SchemaRegistryClient {
  readonly url: string;
  /** Registers `schema` under `subject` (idempotent for the same schema) and returns its id. */
  register(subject: string, schema: unknown): Promise<number>;
  /** The schema with this id; cached, since an id never changes its schema. */
  schemaById(id: number): Promise<RegistrySchema>;
}

/** A success body of the expected shape, else a request error naming the endpoint. */
const expectBody = <T>(schema: z.ZodType<T>, body: unknown, base: string, endpoint: string): T => {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new SchemaRegistryRequestError(
    `the schema registry at ${base} answered ${endpoint} with an unexpected body: ${z.prettifyError(parsed.error)}`,
    undefined,
  );
};

/** Builds a client; nothing is sent until a method is called. */
export const createSchemaRegistryClient = (options: SchemaRegistryClientOptions): SchemaRegistryClient => {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;
  const headers: Record<string, string> = { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE };
  if (options.basicAuth !== undefined) {
    headers.authorization = `Basic ${Buffer.from(options.basicAuth).toString('base64')}`;
  }
  const cache = new Map<number, RegistrySchema>();

  const request = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new SchemaRegistryUnavailableError(base, error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.ok) return json;
    const error = ErrorBodySchema.safeParse(json);
    if (response.status >= 500 || response.status === 429) {
      throw new SchemaRegistryUnavailableError(
        base,
        `${method} ${path} answered ${response.status}${error.success ? `: ${error.data.message}` : ''}`,
      );
    }
    throw new SchemaRegistryRequestError(
      `the schema registry at ${base} refused ${method} ${path}: ${response.status}${error.success ? ` ${error.data.error_code} ${error.data.message}` : ''}`,
      error.success ? error.data.error_code : undefined,
    );
  };

  return {
    url: base,
    async register(subject, schema) {
      const body = await request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
        schema: typeof schema === 'string' ? schema : JSON.stringify(schema),
      });
      return expectBody(RegisteredSchema, body, base, 'POST /subjects/{subject}/versions').id;
    },
    async schemaById(id) {
      const cached = cache.get(id);
      if (cached !== undefined) return cached;
      let body: unknown;
      try {
        body = await request('GET', `/schemas/ids/${id}`);
      } catch (error) {
        if (error instanceof SchemaRegistryRequestError && error.errorCode === SCHEMA_NOT_FOUND) {
          throw new SchemaNotFoundError(id, { cause: error });
        }
        throw error;
      }
      const parsed = expectBody(SchemaByIdSchema, body, base, 'GET /schemas/ids/{id}');
      const found: RegistrySchema = { id, schema: parsed.schema, schemaType: parsed.schemaType ?? 'AVRO' };
      cache.set(id, found);
      return found;
    },
  };
};
