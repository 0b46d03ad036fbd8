import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { MappingConfigError } from '../../../emulators/esm/errors.ts';
import {
  RecordSchemaDecoder,
  resolveSchemaRegistryConfig,
  type SchemaRegistryConfigInput,
} from '../../../emulators/esm/schema-registry.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';
import type { RegistrySchema, SchemaRegistryClient } from '../../../services/schema-registry/client.ts';
import {
  SchemaNotFoundError,
  SchemaRegistryUnavailableError,
} from '../../../services/schema-registry/errors.ts';
import { frame } from '../../../services/schema-registry/wire-format.ts';

const valid: SchemaRegistryConfigInput = {
  schemaRegistryURI: 'http://127.0.0.1:8081',
  eventRecordFormat: 'JSON',
  schemaValidationConfigs: [{ attribute: 'VALUE' }],
};

const settingOf = (input: SchemaRegistryConfigInput, provisioned = true): string => {
  try {
    resolveSchemaRegistryConfig('aggregate-events', input, provisioned);
  } catch (error) {
    if (error instanceof MappingConfigError) return error.setting;
    throw error;
  }
  return 'accepted';
};

describe('SchemaRegistryConfig validation (CreateEventSourceMapping)', () => {
  it('accepts a Confluent registry URL, a format and the attributes to validate', () => {
    const settings = resolveSchemaRegistryConfig(
      'aggregate-events',
      {
        ...valid,
        eventRecordFormat: 'SOURCE',
        schemaValidationConfigs: [{ attribute: 'KEY' }, { attribute: 'VALUE' }],
      },
      true,
    );

    expect(settings).toEqual({
      uri: 'http://127.0.0.1:8081',
      eventRecordFormat: 'SOURCE',
      validateKey: true,
      validateValue: true,
      basicAuthSecretArn: undefined,
    });
  });

  it('is undefined without a SchemaRegistryConfig', () => {
    expect(resolveSchemaRegistryConfig('f', undefined, false)).toBeUndefined();
  });

  it.each<[string, SchemaRegistryConfigInput, string]>([
    [
      'no URI',
      { ...valid, schemaRegistryURI: undefined as unknown as string },
      'SchemaRegistryConfig.SchemaRegistryURI',
    ],
    [
      'a URI with spaces',
      { ...valid, schemaRegistryURI: 'http://a b' },
      'SchemaRegistryConfig.SchemaRegistryURI',
    ],
    [
      'a Glue registry ARN (not emulated)',
      { ...valid, schemaRegistryURI: 'arn:aws:glue:us-east-1:1:registry/r' },
      'SchemaRegistryConfig.SchemaRegistryURI',
    ],
    [
      'an unknown record format',
      { ...valid, eventRecordFormat: 'AVRO' },
      'SchemaRegistryConfig.EventRecordFormat',
    ],
    [
      'no attribute to validate',
      { ...valid, schemaValidationConfigs: [] },
      'SchemaRegistryConfig.SchemaValidationConfigs',
    ],
    [
      'an unknown attribute',
      { ...valid, schemaValidationConfigs: [{ attribute: 'HEADERS' }] },
      'SchemaRegistryConfig.SchemaValidationConfigs',
    ],
    [
      'an attribute twice',
      { ...valid, schemaValidationConfigs: [{ attribute: 'VALUE' }, { attribute: 'VALUE' }] },
      'SchemaRegistryConfig.SchemaValidationConfigs',
    ],
    [
      'three access configs',
      { ...valid, accessConfigs: [1, 2, 3].map(() => ({ type: 'BASIC_AUTH', uri: 'arn:s' })) },
      'SchemaRegistryConfig.AccessConfigs',
    ],
    [
      'an unknown access type',
      { ...valid, accessConfigs: [{ type: 'SASL', uri: 'arn:s' }] },
      'SchemaRegistryConfig.AccessConfigs',
    ],
    [
      'TLS client certificates (not emulated)',
      { ...valid, accessConfigs: [{ type: 'CLIENT_CERTIFICATE_TLS_AUTH', uri: 'arn:s' }] },
      'SchemaRegistryConfig.AccessConfigs',
    ],
    [
      'BASIC_AUTH whose URI is not a secret ARN',
      { ...valid, accessConfigs: [{ type: 'BASIC_AUTH', uri: 'my-secret' }] },
      'SchemaRegistryConfig.AccessConfigs',
    ],
    [
      'BASIC_AUTH twice',
      {
        ...valid,
        accessConfigs: [1, 2].map(() => ({
          type: 'BASIC_AUTH',
          uri: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry',
        })),
      },
      'SchemaRegistryConfig.AccessConfigs',
    ],
  ])('stops the start for %s, naming the setting', (_name, input, setting) => {
    expect(settingOf(input)).toBe(setting);
  });

  it('is refused in on-demand mode, as AWS documents', () => {
    expect(settingOf(valid, false)).toBe('SchemaRegistryConfig');
  });

  it('reads the BASIC_AUTH secret ARN, for the credentials the registry is called with', () => {
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf';

    const settings = resolveSchemaRegistryConfig(
      'f',
      { ...valid, accessConfigs: [{ type: 'BASIC_AUTH', uri: secret }] },
      true,
    );

    expect(settings?.basicAuthSecretArn).toBe(secret);
  });
});

describe('RecordSchemaDecoder', () => {
  const keySchema = { type: 'record', name: 'Key', fields: [{ name: 'userId', type: 'string' }] };
  const keyType = avsc.Type.forSchema(keySchema as avsc.Schema);

  /** A registry holding `schemas` by id; `down` makes every call fail as unreachable. */
  const registryOf = (schemas: Map<number, RegistrySchema>, state = { down: false, calls: 0 }) => ({
    state,
    client: {
      url: 'http://registry',
      register: async () => 1,
      schemaById: async (id: number) => {
        state.calls += 1;
        if (state.down) throw new SchemaRegistryUnavailableError('http://registry', 'connect ECONNREFUSED');
        const found = schemas.get(id);
        if (found === undefined) throw new SchemaNotFoundError(id);
        return found;
      },
    } satisfies SchemaRegistryClient,
  });

  const record = (key: Buffer | null, value: Buffer | null): SourceRecord => ({
    topic: 't',
    partition: 0,
    offset: 0,
    timestamp: 0,
    timestampType: 'CREATE_TIME',
    key,
    value,
    headers: [],
  });

  const keyOnly = {
    uri: 'http://registry',
    eventRecordFormat: 'JSON',
    validateKey: true,
    validateValue: false,
  } as const;

  it('validates the key when KEY is configured and delivers the value as it is', async () => {
    const { client } = registryOf(
      new Map([[3, { id: 3, schema: JSON.stringify(keySchema), schemaType: 'AVRO' }]]),
    );
    const decoder = new RecordSchemaDecoder(keyOnly, client);

    const result = await decoder.decode(
      record(frame(3, keyType.toBuffer({ userId: 'u-1' })), Buffer.from('raw')),
    );

    expect(result).toEqual({
      ok: true,
      key: {
        delivered: Buffer.from('{"userId":"u-1"}'),
        json: Buffer.from('{"userId":"u-1"}'),
        metadata: { dataFormat: 'AVRO', schemaId: '3' },
      },
      value: { delivered: Buffer.from('raw'), json: Buffer.from('raw'), metadata: undefined },
    });
  });

  it('lets a tombstone through and refuses a schema it cannot decode (not AVRO)', async () => {
    const { client } = registryOf(
      new Map([[4, { id: 4, schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' }]]),
    );
    const decoder = new RecordSchemaDecoder({ ...keyOnly, validateValue: true }, client);

    const tombstone = await decoder.decode(record(null, null));
    const protobuf = await decoder.decode(record(frame(4, Buffer.from([1])), null));

    expect(tombstone.ok).toBe(true);
    expect(protobuf).toEqual({
      ok: false,
      code: 'DESERIALIZATION_ERROR',
      reason: expect.stringContaining('PROTOBUF'),
    });
  });

  it('does not remember an unknown id (it may be registered later), and throws while the registry is down', async () => {
    const schemas = new Map<number, RegistrySchema>();
    const { client, state } = registryOf(schemas);
    const decoder = new RecordSchemaDecoder(keyOnly, client);
    const framed = record(frame(5, keyType.toBuffer({ userId: 'u-2' })), null);

    const unknown = await decoder.decode(framed);
    schemas.set(5, { id: 5, schema: JSON.stringify(keySchema), schemaType: 'AVRO' });
    const known = await decoder.decode(framed);
    state.down = true;
    const cached = await decoder.decode(framed);
    const other = decoder.decode(record(frame(6, Buffer.alloc(1)), null));

    expect(unknown).toEqual({
      ok: false,
      code: 'SCHEMA_NOT_FOUND',
      reason: 'KEY: schema id 5 is unknown to the registry',
    });
    expect(known.ok).toBe(true);
    expect(cached.ok).toBe(true);
    await expect(other).rejects.toBeInstanceOf(SchemaRegistryUnavailableError);
  });
});
