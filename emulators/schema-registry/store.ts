/**
 * The state of the schema registry emulator, without I/O: subjects with their versions and
 * schemas with their global ids, as Confluent Schema Registry keeps them
 * (https://docs.confluent.io/platform/current/schema-registry/develop/api.html). One schema text
 * has one id across subjects; registering a schema a subject already has returns its id and
 * adds no version.
 */
import avsc from 'avsc';

/** Confluent's error codes and messages for what this emulator serves. */
export const RegistryErrorCode = {
  SubjectNotFound: { status: 404, error_code: 40401, message: 'Subject not found' },
  VersionNotFound: { status: 404, error_code: 40402, message: 'Version not found' },
  SchemaNotFound: { status: 404, error_code: 40403, message: 'Schema not found' },
  InvalidSchema: { status: 422, error_code: 42201, message: 'Invalid schema' },
} as const;
export type RegistryErrorCode = (typeof RegistryErrorCode)[keyof typeof RegistryErrorCode];

/** A registry answer: a status and a body, or a Confluent error. */
export type RegistryResult<T> =
  | { readonly ok: true; readonly body: T }
  | { readonly ok: false; readonly error: RegistryErrorCode; readonly detail?: string };

interface SubjectVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
}

/** Canonical text of an Avro schema, so that formatting does not make a new schema. */
const canonical = (schema: string): string => JSON.stringify(JSON.parse(schema));

export class SchemaStore {
  readonly #byId = new Map<number, string>();
  readonly #idByText = new Map<string, number>();
  readonly #subjects = new Map<string, SubjectVersion[]>();

  /** POST /subjects/{subject}/versions. Only AVRO schemas are accepted. */
  register(subject: string, schema: string, schemaType = 'AVRO'): RegistryResult<{ id: number }> {
    if (schemaType !== 'AVRO') {
      return {
        ok: false,
        error: RegistryErrorCode.InvalidSchema,
        detail: `schemaType ${schemaType} is not emulated (AVRO only)`,
      };
    }
    let text: string;
    try {
      text = canonical(schema);
      avsc.Type.forSchema(JSON.parse(text));
    } catch (error) {
      return {
        ok: false,
        error: RegistryErrorCode.InvalidSchema,
        detail: error instanceof Error ? error.message : String(error),
      };
    }
    const versions = this.#subjects.get(subject) ?? [];
    const existing = versions.find((version) => version.schema === text);
    if (existing !== undefined) return { ok: true, body: { id: existing.id } };
    let id = this.#idByText.get(text);
    if (id === undefined) {
      id = this.#byId.size + 1;
      this.#byId.set(id, text);
      this.#idByText.set(text, id);
    }
    versions.push({ subject, version: versions.length + 1, id, schema: text });
    this.#subjects.set(subject, versions);
    return { ok: true, body: { id } };
  }

  /** GET /schemas/ids/{id}. */
  schemaById(id: number): RegistryResult<{ schema: string }> {
    const schema = this.#byId.get(id);
    return schema === undefined
      ? { ok: false, error: RegistryErrorCode.SchemaNotFound }
      : { ok: true, body: { schema } };
  }

  /** GET /subjects. */
  subjects(): string[] {
    return [...this.#subjects.keys()];
  }

  /** GET /subjects/{subject}/versions/{version}, `latest` included. */
  version(subject: string, version: string): RegistryResult<SubjectVersion> {
    const versions = this.#subjects.get(subject);
    if (versions === undefined) return { ok: false, error: RegistryErrorCode.SubjectNotFound };
    const found =
      version === 'latest' ? versions.at(-1) : versions.find((v) => String(v.version) === version);
    return found === undefined
      ? { ok: false, error: RegistryErrorCode.VersionNotFound }
      : { ok: true, body: found };
  }
}
