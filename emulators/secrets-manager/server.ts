/**
 * A local stand-in for AWS Secrets Manager: an HTTP server on 127.0.0.1 speaking the subset of
 * the AWS JSON 1.1 protocol that the SDK's `GetSecretValue` uses
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html):
 * `POST /` with `X-Amz-Target: secretsmanager.GetSecretValue` and `{ SecretId, VersionId?,
 * VersionStage? }`; the answer is `{ ARN, Name, VersionId, SecretString, VersionStages,
 * CreatedDate }`, an error is a 400 with `{ __type, Message }`. Signatures are not checked.
 *
 * The real `@aws-sdk/client-secrets-manager` reaches it through the SDK's service-specific
 * endpoint variable, AWS_ENDPOINT_URL_SECRETS_MANAGER
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html):
 *
 * ```ts
 * const secrets = await startSecretsManager({ secrets: { 'kafka-credentials': { username: 'u', password: 'p' } } });
 * process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { SecretsManagerApiError } from './errors.ts';
import { CURRENT_STAGE, SecretStore } from './store.ts';

const TARGET_PREFIX = 'secretsmanager.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** GetSecretValue's request is a few hundred bytes; anything far larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

const GetSecretValueRequest = z.object({
  SecretId: z.string().min(1).max(2048),
  VersionId: z.string().min(32).max(64).optional(),
  VersionStage: z.string().min(1).max(256).optional(),
});

export interface SecretsManagerOptions {
  /** The secrets to serve: a store, or name/ARN → value (objects are stored as their JSON). */
  readonly secrets?: SecretStore | Readonly<Record<string, unknown>>;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** The region the ARNs of secrets seeded by name carry. */
  readonly region?: string;
}

/** A running stand-in. */
export interface SecretsManagerEmulator {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly endpoint: string;
  readonly store: SecretStore;
  /** GetSecretValue requests answered so far (errors included). */
  requests(): number;
  stop(): Promise<void>;
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SecretsManagerApiError('SerializationException', 'request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

const answer = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  });
  response.end(text);
};

/** Answers one request; the store is the only state. */
const handle = async (store: SecretStore, request: IncomingMessage): Promise<unknown> => {
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    throw new SecretsManagerApiError(
      'UnknownOperationException',
      'expected a POST with X-Amz-Target secretsmanager.<Operation>',
    );
  }
  const operation = target.slice(TARGET_PREFIX.length);
  if (operation !== 'GetSecretValue') {
    throw new SecretsManagerApiError(
      'UnknownOperationException',
      `${operation} is not emulated (only GetSecretValue is)`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse((await readBody(request)) || '{}');
  } catch (error) {
    if (error instanceof SecretsManagerApiError) throw error;
    throw new SecretsManagerApiError('SerializationException', 'the request body is not JSON');
  }
  const parsed = GetSecretValueRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SecretsManagerApiError(
      'InvalidParameterException',
      `${issue?.path.join('.') || 'SecretId'}: ${issue?.message ?? 'is invalid'}`,
    );
  }
  const secret = store.get({
    secretId: parsed.data.SecretId,
    versionId: parsed.data.VersionId,
    versionStage: parsed.data.VersionStage,
  });
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: secret.versionId,
    SecretString: secret.secretString,
    VersionStages: [CURRENT_STAGE],
    // AWS JSON protocols carry timestamps as epoch seconds.
    CreatedDate: secret.createdDate.getTime() / 1000,
  };
};

/** Starts the stand-in on 127.0.0.1. */
export const startSecretsManager = async (
  options: SecretsManagerOptions = {},
): Promise<SecretsManagerEmulator> => {
  let store: SecretStore;
  if (options.secrets instanceof SecretStore) {
    store = options.secrets;
  } else {
    store = new SecretStore(options.region === undefined ? {} : { region: options.region });
    for (const [id, value] of Object.entries(options.secrets ?? {})) store.put(id, value);
  }
  let requests = 0;
  const server = createServer((request, response) => {
    requests += 1;
    handle(store, request).then(
      (body) => answer(response, 200, body),
      (error: unknown) => {
        if (error instanceof SecretsManagerApiError) {
          answer(response, error.statusCode, { __type: error.type, Message: error.message });
        } else {
          answer(response, 500, { __type: 'InternalServiceError', Message: String(error) });
        }
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    store,
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
