/**
 * SchemaRegistryConfig end to end on the real broker: values the load generator's encoder
 * writes (Avro, Confluent wire format, schema registered under <topic>-value) go through the
 * emulator, which fetches the writer schema by id from the registry emulator and delivers JSON
 * or the source bytes (services-consume-kafka-events.html).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type LocalSchemaRegistry, startSchemaRegistry } from '../../../emulators/schema-registry/server.ts';
import { startSecretsManager } from '../../../emulators/secrets-manager/server.ts';
import { registerAvroEncoder } from '../../../load-generator/value-format.ts';
import { encodeEvent } from '../../../services/clickstream/codec.ts';
import { type ClickstreamEvent, ClickstreamEventSchema } from '../../../services/clickstream/event.ts';
import {
  CLICKSTREAM_EVENT_AVRO_SCHEMA,
  clickstreamEventAvroType,
} from '../../../services/clickstream/event-avro.ts';
import { readTopic } from '../../../services/kafka/topic-reader.ts';
import { createSchemaRegistryClient } from '../../../services/schema-registry/client.ts';
import { frame } from '../../../services/schema-registry/wire-format.ts';
import type { ToolLog } from '../../../tooling/logger.ts';
import { testKafka } from '../helpers.ts';
import {
  bundleDirectory,
  committedOffsets,
  createTopic,
  deliveredRecords,
  readInvocations,
  startRecordingEmulator,
  waitForInvocations,
} from './support.ts';

let bundleDir: string;
const registries: LocalSchemaRegistry[] = [];

beforeAll(() => {
  bundleDir = bundleDirectory();
});

afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.stop();
});

const registry = async (preferredPort?: number): Promise<LocalSchemaRegistry> => {
  const started = await startSchemaRegistry(preferredPort === undefined ? {} : { preferredPort });
  registries.push(started);
  return started;
};

const eventN = (n: number): ClickstreamEvent => ({
  schemaVersion: 2,
  eventId: `6f1c8a9e-2b1d-4c3e-9f00-${String(n).padStart(12, '0')}`,
  type: 'page_view',
  userId: `u-${n}`,
  sessionId: 's-1',
  eventTime: 1_767_225_600_000 + n,
  page: { path: `/p/${n}`, title: 'Product', referrer: null },
  product: null,
  order: null,
  query: null,
  userAgent: 'Mozilla/5.0',
  ip: '203.0.113.7',
  utm: { source: null, medium: null, campaign: null },
});

/** Produces events as `npm run load -- --format avro` writes them. */
const produceAvro = async (url: string, topic: string, events: readonly ClickstreamEvent[]) => {
  const { encode, schemaId } = await registerAvroEncoder(createSchemaRegistryClient({ url }), topic);
  const producer = testKafka('registry-test-producer').producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: events.map((event) => ({ key: event.userId, value: encode(encodeEvent(event), 'valid') })),
  });
  await producer.disconnect();
  return schemaId;
};

const provisioned = (uri: string, format: 'JSON' | 'SOURCE', extra: Record<string, unknown> = {}) => ({
  provisionedPollerConfig: {},
  schemaRegistryConfig: {
    schemaRegistryURI: uri,
    eventRecordFormat: format,
    schemaValidationConfigs: [{ attribute: 'VALUE' }],
  },
  ...extra,
});

const capturingLog = (): ToolLog & { lines: Array<{ message: string; fields: Record<string, unknown> }> } => {
  const lines: Array<{ message: string; fields: Record<string, unknown> }> = [];
  const keep = (message: string, ...fields: Record<string, unknown>[]) => {
    lines.push({ message, fields: Object.assign({}, ...fields) });
  };
  return { lines, debug: () => {}, info: keep, warn: keep, error: keep };
};

describe('ESM emulator with a schema registry', () => {
  it('delivers Avro values as JSON (EventRecordFormat JSON) with the schema metadata, exactly once each', async () => {
    // Prepare
    const { url } = await registry();
    const { topic, groupId, recordDir } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1 },
      esm: provisioned(url, 'JSON'),
    });
    const events = [0, 1, 2].map(eventN);

    // Act
    const schemaId = await produceAvro(url, topic, events);
    const invocations = await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 3);

    // Assert
    const records = deliveredRecords(invocations);
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2]);
    const values = records.map((r) =>
      ClickstreamEventSchema.parse(JSON.parse(Buffer.from(r.value ?? '', 'base64').toString('utf8'))),
    );
    expect(values).toEqual(events);
    expect(records[0]).toMatchObject({
      valueSchemaMetadata: { dataFormat: 'AVRO', schemaId: String(schemaId) },
    });
    await expect.poll(async () => (await committedOffsets(groupId, topic)).get(0)).toBe(3);
  });

  it('delivers the Avro bytes without the 5-byte header (EventRecordFormat SOURCE)', async () => {
    // Prepare
    const { url } = await registry();
    const { topic, recordDir } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1 },
      esm: provisioned(url, 'SOURCE'),
    });
    const events = [0, 1].map(eventN);

    // Act
    await produceAvro(url, topic, events);
    const invocations = await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 2);

    // Assert
    const values = deliveredRecords(invocations).map((r) =>
      JSON.parse(JSON.stringify(clickstreamEventAvroType.fromBuffer(Buffer.from(r.value ?? '', 'base64')))),
    );
    expect(values).toEqual(events);
  });

  it('never delivers a record whose schema id is unknown or that is not framed: on-failure destination, coordinates logged', async () => {
    // Prepare
    const { url } = await registry();
    const destination = await createTopic(1);
    const log = capturingLog();
    const { topic, groupId, recordDir, emulator } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1, onFailureDestination: `kafka://${destination}` },
      esm: provisioned(url, 'JSON'),
      emulator: { log },
    });
    await produceAvro(url, topic, [eventN(0)]);
    const producer = testKafka('registry-test-producer').producer();
    await producer.connect();

    // Act
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: 'unknown-id', value: frame(4242, clickstreamEventAvroType.toBuffer(eventN(1))) },
        { key: 'plain-json', value: encodeEvent(eventN(2)) },
      ],
    });
    await producer.disconnect();
    await produceAvro(url, topic, [eventN(3)]);
    await expect
      .poll(async () => (await committedOffsets(groupId, topic)).get(0), { timeout: 20_000 })
      .toBe(4);

    // Assert
    expect(deliveredRecords(readInvocations(recordDir)).map((r) => r.offset)).toEqual([0, 3]);
    const failures = (await readTopic(testKafka('registry-test-reader'), destination)).map((r) =>
      JSON.parse(String(r.value)),
    );
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({
      requestContext: { condition: 'SCHEMA_NOT_FOUND', approximateInvokeCount: 0 },
      KafkaBatchInfo: { recordInfo: { offset: '1' } },
      payload: { records: { [`${topic}-0`]: [{ offset: 1 }] } },
    });
    expect(failures[1]).toMatchObject({
      requestContext: { condition: 'DESERIALIZATION_ERROR', approximateInvokeCount: 0 },
      payload: { records: { [`${topic}-0`]: [{ offset: 2 }] } },
    });
    const logged = log.lines.filter((line) => line.message.startsWith('record failed schema validation'));
    expect(logged.map((line) => line.fields.record)).toEqual([`${topic}-0@1`, `${topic}-0@2`]);
    expect(String(logged[0]?.fields.reason)).toContain('schema id 4242 is unknown');
    expect(emulator.stats().mappings[0]?.recordsFailedValidation).toBe(2);
  });

  it('holds the batch while the registry is down (nothing delivered or committed) and delivers it once it is back', async () => {
    // Prepare: the schema's id in a fresh registry is 1, in the old one and the new one alike.
    const first = await registry();
    const port = Number(new URL(first.url).port);
    const { topic, groupId, recordDir, emulator } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1 },
      esm: provisioned(first.url, 'JSON'),
    });
    await produceAvro(first.url, topic, [eventN(0), eventN(1)]);
    await first.stop();
    registries.splice(registries.indexOf(first), 1);

    // Act
    await expect
      .poll(() => emulator.stats().mappings[0]?.registryRetries ?? 0, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(2);
    const whileDown = readInvocations(recordDir).length;
    const committedWhileDown = (await committedOffsets(groupId, topic)).get(0);
    const second = await registry(port);
    await createSchemaRegistryClient({ url: second.url }).register(
      `${topic}-value`,
      CLICKSTREAM_EVENT_AVRO_SCHEMA,
    );
    const invocations = await waitForInvocations(
      recordDir,
      (all) => deliveredRecords(all).length >= 2,
      30_000,
    );

    // Assert
    expect(second.url).toBe(first.url);
    expect(whileDown).toBe(0);
    expect(committedWhileDown ?? 0).toBeLessThanOrEqual(0);
    expect(deliveredRecords(invocations).map((r) => r.offset)).toEqual([0, 1]);
  });

  it('calls a registry that asks for credentials with BASIC_AUTH from the secret, and holds the batch when they are wrong', async () => {
    // Prepare: a registry with an API key, the right and a stale secret in the Secrets Manager stand-in.
    const key = { username: 'SR-API-KEY', password: 'sr-api-secret' };
    const protectedRegistry = await startSchemaRegistry({ basicAuth: key });
    registries.push(protectedRegistry);
    const GOOD = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:registry-AbC123';
    const STALE = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:registry-stale-AbC123';
    const secrets = await startSecretsManager({
      secrets: { [GOOD]: key, [STALE]: { ...key, password: 'rotated-away' } },
    });
    onTestFinished(() => secrets.stop());
    const secretsClient = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: secrets.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    onTestFinished(() => secretsClient.destroy());
    const withSecret = (secret: string) =>
      startRecordingEmulator({
        bundleDir,
        kafka: { batchSize: 10, maximumBatchingWindow: 1 },
        esm: {
          provisionedPollerConfig: {},
          schemaRegistryConfig: {
            schemaRegistryURI: protectedRegistry.url,
            eventRecordFormat: 'JSON',
            schemaValidationConfigs: [{ attribute: 'VALUE' }],
            accessConfigs: [{ type: 'BASIC_AUTH', uri: secret }],
          },
        },
        emulator: { secretsManager: () => secretsClient },
      });
    const good = await withSecret(GOOD);
    const stale = await withSecret(STALE);
    const register = createSchemaRegistryClient({
      url: protectedRegistry.url,
      basicAuth: `${key.username}:${key.password}`,
    });
    const { encode } = await registerAvroEncoder(register, good.topic);
    await createSchemaRegistryClient({ url: protectedRegistry.url })
      .register(`${good.topic}-value`, CLICKSTREAM_EVENT_AVRO_SCHEMA)
      .then(
        () => expect.unreachable('the registry must refuse a request without credentials'),
        (error: unknown) => expect(String(error)).toContain('401'),
      );
    const producer = testKafka('registry-auth-producer').producer();
    await producer.connect();
    for (const topic of [good.topic, stale.topic]) {
      await producer.send({
        topic,
        acks: -1,
        messages: [0, 1, 2].map((n) => ({ key: `u-${n}`, value: encode(encodeEvent(eventN(n)), 'valid') })),
      });
    }
    await producer.disconnect();

    // Act
    const delivered = await waitForInvocations(
      good.recordDir,
      (all) => deliveredRecords(all).length >= 3,
      30_000,
    );
    await expect
      .poll(() => stale.emulator.stats().mappings[0]?.registryRetries ?? 0, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(2);

    // Assert: the right key decodes; the stale one delivers nothing and commits nothing.
    expect(
      deliveredRecords(delivered).map(
        (record) => JSON.parse(Buffer.from(record.value ?? '', 'base64').toString('utf8')).eventId,
      ),
    ).toEqual([0, 1, 2].map((n) => eventN(n).eventId));
    expect(readInvocations(stale.recordDir)).toHaveLength(0);
    expect((await committedOffsets(stale.groupId, stale.topic)).get(0) ?? 0).toBeLessThanOrEqual(0);
    expect(stale.emulator.stats().mappings[0]?.lastError).toContain('401');
  });
});
