import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSchemaRegistry, startSchemaRegistry } from '../../../emulators/schema-registry/server.ts';
import { CLICKSTREAM_EVENT_AVRO_SCHEMA } from '../../../services/clickstream/event-avro.ts';
import { createSchemaRegistryClient } from '../../../services/schema-registry/client.ts';
import {
  SchemaNotFoundError,
  SchemaRegistryRequestError,
  SchemaRegistryUnavailableError,
} from '../../../services/schema-registry/errors.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

describe('schema registry emulator (Confluent REST subset) and client', () => {
  let registry: LocalSchemaRegistry;
  beforeAll(async () => {
    registry = await startSchemaRegistry();
  });
  afterAll(async () => {
    await registry.stop();
  });

  it('registers a schema once per subject and gives the same schema the same id across subjects', async () => {
    const client = createSchemaRegistryClient({ url: registry.url });

    const first = await client.register('events-value', CLICKSTREAM_EVENT_AVRO_SCHEMA);
    const again = await client.register(
      'events-value',
      JSON.stringify(CLICKSTREAM_EVENT_AVRO_SCHEMA, null, 2),
    );
    const elsewhere = await client.register('other-value', CLICKSTREAM_EVENT_AVRO_SCHEMA);
    const other = await client.register('events-value', { type: 'record', name: 'X', fields: [] });

    expect(again).toBe(first);
    expect(elsewhere).toBe(first);
    expect(other).not.toBe(first);
    const latest = await fetch(`${registry.url}/subjects/events-value/versions/latest`);
    expect(latest.headers.get('content-type')).toBe(CONTENT_TYPE);
    expect(await latest.json()).toMatchObject({ subject: 'events-value', version: 2, id: other });
  });

  it('serves a schema by id', async () => {
    const client = createSchemaRegistryClient({ url: registry.url });
    const id = await client.register('by-id-value', {
      type: 'record',
      name: 'ById',
      fields: [{ name: 'a', type: 'int' }],
    });

    const found = await client.schemaById(id);

    expect(found.schemaType).toBe('AVRO');
    expect(JSON.parse(found.schema)).toMatchObject({ name: 'ById' });
  });

  it("answers an unknown id with Confluent's 40403 body, which the client turns into SchemaNotFoundError", async () => {
    const response = await fetch(`${registry.url}/schemas/ids/99999`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error_code: 40403, message: 'Schema not found' });
    const error = await createSchemaRegistryClient({ url: registry.url })
      .schemaById(99999)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaNotFoundError);
    expect((error as SchemaNotFoundError).retriable).toBe(false);
  });

  it('refuses an invalid Avro schema with 42201 and an unknown subject with 40401', async () => {
    const error = await createSchemaRegistryClient({ url: registry.url })
      .register('bad-value', { type: 'record', name: 'Bad', fields: [{ name: 'a', type: 'nope' }] })
      .catch((e: unknown) => e);
    const subject = await fetch(`${registry.url}/subjects/missing/versions/latest`);

    expect(error).toBeInstanceOf(SchemaRegistryRequestError);
    expect((error as SchemaRegistryRequestError).errorCode).toBe(42201);
    expect(await subject.json()).toMatchObject({ error_code: 40401 });
  });

  it('reports a registry that does not answer as unavailable and retriable, naming the URL', async () => {
    const down = await startSchemaRegistry();
    await down.stop();

    const error = await createSchemaRegistryClient({ url: down.url, timeoutMs: 1000 })
      .schemaById(1)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SchemaRegistryUnavailableError);
    expect((error as SchemaRegistryUnavailableError).retriable).toBe(true);
    expect((error as Error).message).toContain(down.url);
  });
});
