import { describe, expect, it } from 'vitest';
import { MappingConfigError } from '../../../emulators/esm/errors.ts';
import {
  resolveSchemaRegistryConfig,
  type SchemaRegistryConfigInput,
} from '../../../emulators/esm/schema-registry.ts';

const valid: SchemaRegistryConfigInput = {
  schemaRegistryURI: 'http://127.0.0.1:8081',
  eventRecordFormat: 'JSON',
  schemaValidationConfigs: [{ attribute: 'VALUE' }],
};

const settingOf = (input: SchemaRegistryConfigInput, provisioned = true): string => {
  try {
    resolveSchemaRegistryConfig('aggregate-events', input, provisioned, []);
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
      [],
    );

    expect(settings).toEqual({
      uri: 'http://127.0.0.1:8081',
      eventRecordFormat: 'SOURCE',
      validateKey: true,
      validateValue: true,
    });
  });

  it('is undefined without a SchemaRegistryConfig', () => {
    expect(resolveSchemaRegistryConfig('f', undefined, false, [])).toBeUndefined();
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
  ])('stops the start for %s, naming the setting', (_name, input, setting) => {
    expect(settingOf(input)).toBe(setting);
  });

  it('is refused in on-demand mode, as AWS documents', () => {
    expect(settingOf(valid, false)).toBe('SchemaRegistryConfig');
  });

  it('accepts BASIC_AUTH with a warning that locally no credentials are sent', () => {
    const warnings: string[] = [];

    resolveSchemaRegistryConfig(
      'f',
      {
        ...valid,
        accessConfigs: [{ type: 'BASIC_AUTH', uri: 'arn:aws:secretsmanager:us-east-1:1:secret:s' }],
      },
      true,
      warnings,
    );

    expect(warnings).toEqual([expect.stringContaining('BASIC_AUTH is not emulated')]);
  });
});
