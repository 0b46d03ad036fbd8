/**
 * An in-process stand-in for Confluent Schema Registry, like dynalite for DynamoDB: the REST
 * endpoints the load generator and the ESM emulator use
 * (https://docs.confluent.io/platform/current/schema-registry/develop/api.html):
 *
 * - `POST /subjects/{subject}/versions` `{schema, schemaType?}` → `{id}`
 * - `GET /schemas/ids/{id}` → `{schema}`
 * - `GET /subjects` → `[subject]`
 * - `GET /subjects/{subject}/versions/{version|latest}` → `{subject, id, version, schema}`
 *
 * Errors carry Confluent's body `{error_code, message}` (40401, 40402, 40403, 42201). Avro
 * only; no compatibility checks, no deletes; in memory. With `basicAuth` every request must
 * carry those HTTP Basic credentials, else 401 `{"error_code": 401, "message": "Unauthorized"}`
 * (what Confluent Cloud's registry answers without an API key). Set SCHEMA_REGISTRY_URL to use
 * a real registry instead.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { freePort, portOr } from '../../tooling/ports.ts';
import { type RegistryErrorCode, type RegistryResult, SchemaStore } from './store.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const RegisterBody = z.object({ schema: z.string(), schemaType: z.string().optional() });

/** A running registry emulator. */
export interface LocalSchemaRegistry {
  /** `http://127.0.0.1:PORT`, for SCHEMA_REGISTRY_URL. */
  readonly url: string;
  readonly store: SchemaStore;
  stop(): Promise<void>;
}

const send = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': CONTENT_TYPE });
  response.end(JSON.stringify(body));
};

const sendError = (response: ServerResponse, error: RegistryErrorCode, detail?: string): void =>
  send(response, error.status, {
    error_code: error.error_code,
    message: detail === undefined ? error.message : `${error.message}: ${detail}`,
  });

const answer = <T>(response: ServerResponse, result: RegistryResult<T>): void => {
  if (result.ok) send(response, 200, result.body);
  else sendError(response, result.error, result.detail);
};

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const route = async (
  store: SchemaStore,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> => {
  const path = new URL(request.url ?? '/', 'http://registry').pathname;
  const parts = path
    .split('/')
    .filter((part) => part !== '')
    .map(decodeURIComponent);
  if (request.method === 'POST' && parts.length === 3 && parts[0] === 'subjects' && parts[2] === 'versions') {
    let body: z.infer<typeof RegisterBody>;
    try {
      body = RegisterBody.parse(JSON.parse(await readBody(request)));
    } catch {
      send(response, 422, {
        error_code: 422,
        message: 'Unrecognized field or malformed body: expected {"schema": "..."}',
      });
      return;
    }
    answer(response, store.register(parts[1] ?? '', body.schema, body.schemaType));
    return;
  }
  if (request.method === 'GET' && parts.length === 3 && parts[0] === 'schemas' && parts[1] === 'ids') {
    const id = Number(parts[2]);
    answer(
      response,
      Number.isInteger(id)
        ? store.schemaById(id)
        : { ok: false, error: { status: 404, error_code: 40403, message: 'Schema not found' } },
    );
    return;
  }
  if (request.method === 'GET' && parts.length === 1 && parts[0] === 'subjects') {
    send(response, 200, store.subjects());
    return;
  }
  if (request.method === 'GET' && parts.length === 4 && parts[0] === 'subjects' && parts[2] === 'versions') {
    answer(response, store.version(parts[1] ?? '', parts[3] ?? ''));
    return;
  }
  send(response, 404, { error_code: 404, message: 'HTTP 404 Not Found' });
};

/** Starts the registry emulator on 127.0.0.1 (a free port unless `preferredPort` is free). */
export const startSchemaRegistry = async (
  options: {
    preferredPort?: number;
    /** Credentials every request must carry (HTTP Basic). */
    basicAuth?: { readonly username: string; readonly password: string };
  } = {},
): Promise<LocalSchemaRegistry> => {
  const port = options.preferredPort === undefined ? await freePort() : await portOr(options.preferredPort);
  const store = new SchemaStore();
  const expected =
    options.basicAuth === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
  const server = createServer((request, response) => {
    if (expected !== undefined && request.headers.authorization !== expected) {
      send(response, 401, { error_code: 401, message: 'Unauthorized' });
      return;
    }
    route(store, request, response).catch((error: unknown) => {
      send(response, 500, {
        error_code: 50001,
        message: error instanceof Error ? error.message : String(error),
      });
    });
  });
  await new Promise<void>((listening, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => listening());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    stop: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
};
