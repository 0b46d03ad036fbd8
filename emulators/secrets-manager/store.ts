/**
 * The Secrets Manager stand-in's state: secrets by name and ARN, each with one version
 * labelled AWSCURRENT. Pure: the HTTP shell (server.ts) only translates requests to it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SecretsManagerApiError, SecretsManagerEmulatorError } from './errors.ts';

/** One secret as GetSecretValue returns it. */
export interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly secretString: string;
  readonly versionId: string;
  readonly createdDate: Date;
}

/** What GetSecretValue asks for (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html). */
export interface SecretQuery {
  /** The secret's name or ARN. */
  readonly secretId: string;
  readonly versionId?: string | undefined;
  readonly versionStage?: string | undefined;
}

/** The staging label of the version GetSecretValue returns when none is asked for. */
export const CURRENT_STAGE = 'AWSCURRENT';

/** The account the laptop's ARNs name, as the other local stand-ins do. */
const LOCAL_ACCOUNT = '000000000000';

const ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:(.+)$/;

/**
 * Secrets Manager adds a hyphen and six random characters after the secret's name at the end of
 * its ARN (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html,
 * Name); derived from the name here, so a restarted stand-in gives the same ARN.
 */
const arnOf = (name: string, region: string): string => {
  const suffix = createHash('sha1').update(name).digest('base64url').replaceAll(/[-_]/g, 'x').slice(0, 6);
  return `arn:aws:secretsmanager:${region}:${LOCAL_ACCOUNT}:secret:${name}-${suffix}`;
};

/** The secrets of the stand-in. */
export class SecretStore {
  readonly #byArn = new Map<string, StoredSecret>();
  readonly #byName = new Map<string, StoredSecret>();
  readonly #region: string;

  constructor(options: { region?: string } = {}) {
    this.#region = options.region ?? 'us-east-1';
  }

  /**
   * Adds (or replaces) a secret. `id` is a name, or a full ARN when the caller's configuration
   * names the secret by ARN (a mapping's SourceAccessConfigurations do); a value that is not a
   * string is stored as its JSON, as the console stores key/value pairs.
   */
  put(id: string, value: unknown): StoredSecret {
    const secretString = typeof value === 'string' ? value : JSON.stringify(value);
    if (secretString === undefined || secretString.length === 0 || secretString.length > 65_536) {
      throw new SecretsManagerEmulatorError(`secret ${id}: SecretString must be 1–65,536 characters`);
    }
    const arnMatch = ARN.exec(id);
    const name = arnMatch?.[1] ?? id;
    const arn = arnMatch === null ? arnOf(name, this.#region) : id;
    const secret: StoredSecret = {
      arn,
      name,
      secretString,
      versionId: randomUUID(),
      createdDate: new Date(),
    };
    this.#byArn.set(arn, secret);
    this.#byName.set(name, secret);
    return secret;
  }

  /**
   * The secret's current version, as GetSecretValue answers.
   *
   * @throws {SecretsManagerApiError} ResourceNotFoundException for an unknown secret, version
   *   or staging label, with Secrets Manager's messages.
   */
  get(query: SecretQuery): StoredSecret {
    const secret = this.#byArn.get(query.secretId) ?? this.#byName.get(query.secretId);
    if (secret === undefined) {
      throw new SecretsManagerApiError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    if (query.versionId !== undefined && query.versionId !== secret.versionId) {
      throw new SecretsManagerApiError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for VersionId: ${query.versionId}`,
      );
    }
    if (query.versionStage !== undefined && query.versionStage !== CURRENT_STAGE) {
      throw new SecretsManagerApiError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for staging label: ${query.versionStage}`,
      );
    }
    return secret;
  }

  get size(): number {
    return this.#byArn.size;
  }
}

/** A seed file: secret name or ARN → its value (a string, or key/value pairs stored as JSON). */
const SeedFileSchema = z.record(z.string().min(1), z.union([z.string(), z.record(z.string(), z.unknown())]));

/**
 * Seeds a store from a JSON file such as
 * `{ "arn:aws:secretsmanager:us-east-1:000000000000:secret:kafka": { "username": "u", "password": "p" } }`.
 *
 * @throws {SecretsManagerEmulatorError} naming the file and what is wrong with it.
 */
export const seedFromFile = (store: SecretStore, file: string): void => {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SecretsManagerEmulatorError(
      `cannot read the secrets file ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const parsed = SeedFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SecretsManagerEmulatorError(
      `the secrets file ${file} must map secret names or ARNs to strings or objects`,
      { cause: parsed.error },
    );
  }
  for (const [id, value] of Object.entries(parsed.data)) store.put(id, value);
};
