/**
 * A Kafka mapping's SchemaRegistryConfig: validated as CreateEventSourceMapping does, and
 * applied to each record before it is batched
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-consume-kafka-events.html;
 * https://docs.aws.amazon.com/lambda/latest/api/API_KafkaSchemaRegistryConfig.html).
 *
 * For each attribute in SchemaValidationConfigs (KEY, VALUE) the record's bytes must be in the
 * Confluent wire format with a writer schema the registry knows, and decode with it. Lambda
 * then delivers the attribute as JSON (EventRecordFormat JSON: the decoded record's JSON text)
 * or in its source format without the schema header (SOURCE), and adds
 * `keySchemaMetadata`/`valueSchemaMetadata` `{dataFormat, schemaId}` to the record. An
 * attribute that is not validated is delivered as it is.
 *
 * Emulated: Confluent-compatible registries over http(s) with Avro schemas. Not emulated (the
 * emulator refuses them at start): AWS Glue registries (an ARN), Protobuf and JSON Schema
 * writer schemas (such a record fails validation here), and access configs other than
 * BASIC_AUTH. BASIC_AUTH reads `{username, password}` from the Secrets Manager secret its URI
 * names (mapping-credentials.ts) and calls the registry with HTTP Basic credentials.
 */
import avsc from 'avsc';
import { z } from 'zod';
import type { SchemaMetadata } from '../../services/kafka/esm-event.ts';
import type { SourceRecord } from '../../services/kafka/record.ts';
import type { SchemaRegistryClient } from '../../services/schema-registry/client.ts';
import { SchemaNotFoundError } from '../../services/schema-registry/errors.ts';
import { unframe } from '../../services/schema-registry/wire-format.ts';
import { MappingConfigError } from './errors.ts';

export const EventRecordFormat = { Json: 'JSON', Source: 'SOURCE' } as const;
export type EventRecordFormat = (typeof EventRecordFormat)[keyof typeof EventRecordFormat];

/** `custom.esm.<function>.schemaRegistryConfig`, as written (camelCase of the CloudFormation keys). */
export const SchemaRegistryConfigSchema = z.strictObject({
  schemaRegistryURI: z.string().optional(),
  eventRecordFormat: z.string().optional(),
  schemaValidationConfigs: z.array(z.strictObject({ attribute: z.string() })).optional(),
  accessConfigs: z.array(z.strictObject({ type: z.string(), uri: z.string() })).optional(),
});
export type SchemaRegistryConfigInput = z.infer<typeof SchemaRegistryConfigSchema>;

/** A validated SchemaRegistryConfig. */
export interface SchemaRegistrySettings {
  readonly uri: string;
  readonly eventRecordFormat: EventRecordFormat;
  readonly validateKey: boolean;
  readonly validateValue: boolean;
  /** BASIC_AUTH: the Secrets Manager secret (ARN) holding the registry's credentials. */
  readonly basicAuthSecretArn?: string | undefined;
}

const ACCESS_TYPES = ['BASIC_AUTH', 'CLIENT_CERTIFICATE_TLS_AUTH', 'SERVER_ROOT_CA_CERTIFICATE'] as const;
// API_KafkaSchemaRegistryAccessConfig: URI, a Secrets Manager secret ARN.
const SECRET_ARN_PATTERN =
  /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;
// API_KafkaSchemaRegistryConfig: SchemaRegistryURI 1–10,000 characters of this pattern.
const URI_PATTERN = /^[a-zA-Z0-9\-/*:_+=.@]{1,10000}$/;

/**
 * Validates a SchemaRegistryConfig; undefined when the mapping has none.
 *
 * @throws {MappingConfigError} naming the setting, for what AWS refuses or the emulator cannot do.
 */
export const resolveSchemaRegistryConfig = (
  fnKey: string,
  input: SchemaRegistryConfigInput | undefined,
  provisioned: boolean,
): SchemaRegistrySettings | undefined => {
  if (input === undefined) return undefined;
  const fail = (setting: string, detail: string) =>
    new MappingConfigError(fnKey, `SchemaRegistryConfig.${setting}`, detail);
  // "This feature is only available for event source mappings using provisioned mode."
  if (!provisioned) {
    throw new MappingConfigError(
      fnKey,
      'SchemaRegistryConfig',
      'is only accepted in provisioned mode (set custom.esm.<function>.provisionedPollerConfig)',
    );
  }
  const uri = input.schemaRegistryURI;
  if (uri === undefined || !URI_PATTERN.test(uri)) {
    throw fail(
      'SchemaRegistryURI',
      `must be 1–10,000 characters of [a-zA-Z0-9-/*:_+=.@], got ${JSON.stringify(uri)}`,
    );
  }
  if (uri.startsWith('arn:')) {
    throw fail(
      'SchemaRegistryURI',
      'names an AWS Glue registry, which is not emulated (use a Confluent-compatible URL)',
    );
  }
  if (!/^https?:\/\//.test(uri)) throw fail('SchemaRegistryURI', `must be the registry's URL, got "${uri}"`);
  const format = input.eventRecordFormat;
  if (format !== EventRecordFormat.Json && format !== EventRecordFormat.Source) {
    throw fail('EventRecordFormat', `must be JSON or SOURCE, got ${JSON.stringify(format)}`);
  }
  const attributes = (input.schemaValidationConfigs ?? []).map((config) => config.attribute);
  if (attributes.length === 0) throw fail('SchemaValidationConfigs', 'must name KEY, VALUE or both');
  for (const attribute of attributes) {
    if (attribute !== 'KEY' && attribute !== 'VALUE') {
      throw fail('SchemaValidationConfigs', `attribute must be KEY or VALUE, got "${attribute}"`);
    }
  }
  if (new Set(attributes).size !== attributes.length)
    throw fail('SchemaValidationConfigs', 'names an attribute twice');
  const access = input.accessConfigs ?? [];
  if (access.length > 2) throw fail('AccessConfigs', `holds at most 2 entries, got ${access.length}`);
  for (const config of access) {
    if (!(ACCESS_TYPES as readonly string[]).includes(config.type)) {
      throw fail('AccessConfigs', `type must be one of ${ACCESS_TYPES.join(', ')}, got "${config.type}"`);
    }
    if (config.type !== 'BASIC_AUTH') {
      throw fail('AccessConfigs', `${config.type} is not emulated (only BASIC_AUTH, or none)`);
    }
    if (!SECRET_ARN_PATTERN.test(config.uri)) {
      throw fail('AccessConfigs', `BASIC_AUTH URI must be a Secrets Manager secret ARN, got "${config.uri}"`);
    }
  }
  // Every entry left is BASIC_AUTH (the loop refuses the others).
  if (access.length > 1) throw fail('AccessConfigs', 'names BASIC_AUTH twice');
  return {
    uri,
    eventRecordFormat: format,
    validateKey: attributes.includes('KEY'),
    validateValue: attributes.includes('VALUE'),
    basicAuthSecretArn: access[0]?.uri,
  };
};

/** One attribute after the registry: what to deliver and what to filter on. */
interface DecodedAttribute {
  readonly delivered: Buffer | null;
  /** The decoded record's JSON text, for filter criteria. */
  readonly json: Buffer | null;
  readonly metadata: SchemaMetadata | undefined;
}

/**
 * Why a record failed schema validation, as the reason codes of "How Lambda performs schema
 * validation" name it (https://docs.aws.amazon.com/lambda/latest/dg/services-consume-kafka-events.html):
 * the writer schema could not be found, or the bytes did not deserialize with it.
 */
export const SchemaValidationFailure = {
  SchemaNotFound: 'SCHEMA_NOT_FOUND',
  DeserializationError: 'DESERIALIZATION_ERROR',
} as const;
export type SchemaValidationFailure = (typeof SchemaValidationFailure)[keyof typeof SchemaValidationFailure];

/** An attribute (or record) that failed validation: the reason code and the detail for the log. */
interface Invalid {
  readonly code: SchemaValidationFailure;
  readonly reason: string;
}

/** A record after the registry: valid (with what to deliver) or invalid (with why). */
export type DecodedRecord =
  | {
      readonly ok: true;
      readonly key: DecodedAttribute;
      readonly value: DecodedAttribute;
    }
  | ({ readonly ok: false } & Invalid);

/**
 * Decodes records with their writer schemas, fetched by id and compiled once per id.
 * Throws only what a retry can fix (the registry is unavailable); everything else about a
 * record is an invalid record.
 */
export class RecordSchemaDecoder {
  readonly #settings: SchemaRegistrySettings;
  readonly #registry: SchemaRegistryClient;
  readonly #types = new Map<number, avsc.Type | Invalid>();

  constructor(settings: SchemaRegistrySettings, registry: SchemaRegistryClient) {
    this.#settings = settings;
    this.#registry = registry;
  }

  /** @throws {SchemaRegistryUnavailableError} when the registry cannot be reached: retry the batch. */
  async decode(record: SourceRecord): Promise<DecodedRecord> {
    const key = this.#settings.validateKey
      ? await this.#attribute('KEY', record.key)
      : passThrough(record.key);
    if ('reason' in key) return { ok: false, code: key.code, reason: key.reason };
    const value = this.#settings.validateValue
      ? await this.#attribute('VALUE', record.value)
      : passThrough(record.value);
    if ('reason' in value) return { ok: false, code: value.code, reason: value.reason };
    return { ok: true, key, value };
  }

  async #attribute(name: 'KEY' | 'VALUE', bytes: Buffer | null): Promise<DecodedAttribute | Invalid> {
    // A tombstone (no value) has nothing to validate.
    if (bytes === null) return passThrough(null);
    const framed = unframe(bytes);
    if (!framed.ok) {
      return {
        code: SchemaValidationFailure.DeserializationError,
        reason: `${name} is not in the schema registry wire format: ${framed.reason}`,
      };
    }
    const type = await this.#typeOf(framed.schemaId);
    if (!(type instanceof avsc.Type)) return { code: type.code, reason: `${name}: ${type.reason}` };
    let decoded: unknown;
    try {
      decoded = type.fromBuffer(framed.payload);
    } catch (error) {
      return {
        code: SchemaValidationFailure.DeserializationError,
        reason: `${name} does not decode with schema ${framed.schemaId}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const json = Buffer.from(JSON.stringify(decoded), 'utf8');
    return {
      delivered: this.#settings.eventRecordFormat === EventRecordFormat.Json ? json : framed.payload,
      json,
      metadata: { dataFormat: 'AVRO', schemaId: String(framed.schemaId) },
    };
  }

  /** The compiled writer schema, or why there is none (cached per id: an id never changes its schema). */
  async #typeOf(id: number): Promise<avsc.Type | Invalid> {
    const cached = this.#types.get(id);
    if (cached !== undefined) return cached;
    let found: Awaited<ReturnType<SchemaRegistryClient['schemaById']>>;
    try {
      found = await this.#registry.schemaById(id);
    } catch (error) {
      // Not cached: the id may be registered later.
      if (error instanceof SchemaNotFoundError) {
        return {
          code: SchemaValidationFailure.SchemaNotFound,
          reason: `schema id ${id} is unknown to the registry`,
        };
      }
      throw error;
    }
    let result: avsc.Type | Invalid;
    try {
      result =
        found.schemaType === 'AVRO'
          ? avsc.Type.forSchema(JSON.parse(found.schema))
          : {
              code: SchemaValidationFailure.DeserializationError,
              reason: `schema ${id} is ${found.schemaType}, which the emulator does not decode (AVRO only)`,
            };
    } catch (error) {
      result = {
        code: SchemaValidationFailure.DeserializationError,
        reason: `schema ${id} is not a usable Avro schema: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    this.#types.set(id, result);
    return result;
  }
}

const passThrough = (bytes: Buffer | null): DecodedAttribute => ({
  delivered: bytes,
  json: bytes,
  metadata: undefined,
});
