import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MappingConfigError } from '../../../emulators/esm/errors.ts';
import { testBrokers } from '../helpers.ts';
import {
  bundleDirectory,
  committedOffsets,
  deliveredRecords,
  emulatorFor,
  json,
  produce,
  readInvocations,
  recordDirectory,
  recorderConfig,
  startRecordingEmulator,
  waitForInvocations,
} from './support.ts';

let bundleDir: string;

beforeAll(() => {
  bundleDir = bundleDirectory();
});

describe('ESM emulator payload', () => {
  it('delivers records exactly as Lambda does: base64, headers as byte arrays, key omitted when null', async () => {
    // Prepare
    const { topic, recordDir } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1 },
      environment: { FIXTURE_SETTING: 'from-serverless-yml' },
      emulator: {
        environmentOverrides: { FIXTURE_SETTING: 'from-local-override' },
      },
    });

    // Act
    await produce(topic, [
      { key: 'user-1', value: json({ n: 1 }), headers: { trace: 'abc', ver: Buffer.from([1, 2]) } },
      { key: null, value: 'plain text' },
    ]);
    const [invocation] = await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 2);

    // Assert
    expect(invocation?.event.eventSource).toBe('SelfManagedKafka');
    expect(invocation?.event.bootstrapServers).toBe(testBrokers().join(','));
    expect(Object.keys(invocation?.event ?? {})).toEqual(['eventSource', 'bootstrapServers', 'records']);
    const records = invocation?.event.records[`${topic}-0`] ?? [];
    expect(records).toHaveLength(2);
    const [first, second] = records;
    expect(first).toEqual({
      topic,
      partition: 0,
      offset: 0,
      timestamp: expect.any(Number),
      timestampType: 'CREATE_TIME',
      key: Buffer.from('user-1').toString('base64'),
      value: Buffer.from(json({ n: 1 })).toString('base64'),
      headers: [{ trace: [...Buffer.from('abc')] }, { ver: [1, 2] }],
    });
    expect(second).not.toHaveProperty('key');
    expect(second?.value).toBe(Buffer.from('plain text').toString('base64'));
    expect(second?.headers).toEqual([]);
    expect(invocation?.functionName).toBe('clickstream-local-recorder');
    expect(invocation?.remainingMs).toBeGreaterThan(0);
    expect(invocation?.env.FIXTURE_SETTING).toBe('from-local-override');
    expect(invocation?.env.AWS_EXECUTION_ENV).toBe('AWS_Lambda_nodejs24.x');
    // Lambda's variables switch Powertools Tracer on; there is no X-Ray daemon to send to.
    expect(invocation?.env.POWERTOOLS_TRACE_ENABLED).toBe('false');
  });
});

describe('ESM emulator batching', () => {
  it('closes a batch on BatchSize before the window, and delivers the rest when the window expires', async () => {
    // Prepare
    const { topic, recordDir } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 5, maximumBatchingWindow: 3 },
    });

    // Act
    const producedAt = Date.now();
    await produce(
      topic,
      Array.from({ length: 12 }, (_, n) => ({ value: json({ n }) })),
    );
    const invocations = await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 12);

    // Assert
    expect(invocations.map((i) => deliveredRecords([i]).length)).toEqual([5, 5, 2]);
    const [full1, full2, partial] = invocations;
    // The full batches did not wait for the window; the partial one did.
    expect(full2?.at ?? 0).toBeLessThan(partial?.at ?? 0);
    expect(full1?.at ?? 0).toBeLessThanOrEqual(full2?.at ?? 0);
    expect((partial?.at ?? 0) - producedAt).toBeGreaterThanOrEqual(3000 - 50);
  });

  it('keeps each partition in offset order, one batch per partition at a time, and commits every offset', async () => {
    // Prepare
    const {
      topic,
      groupId: group,
      recordDir,
      emulator,
    } = await startRecordingEmulator({
      bundleDir,
      partitions: 3,
      kafka: { batchSize: 7, maximumBatchingWindow: 1 },
    });

    // Act
    for (let round = 0; round < 3; round += 1) {
      await produce(
        topic,
        Array.from({ length: 30 }, (_, n) => ({ key: `user-${n % 9}`, value: json({ round, n }) })),
      );
    }
    const invocations = await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 90);

    // Assert
    const byPartition = new Map<number, number[]>();
    for (const record of deliveredRecords(invocations)) {
      byPartition.set(record.partition, [...(byPartition.get(record.partition) ?? []), record.offset]);
    }
    expect([...byPartition.values()].flat()).toHaveLength(90);
    for (const offsets of byPartition.values()) {
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    for (const invocation of invocations)
      expect(deliveredRecords([invocation]).length).toBeLessThanOrEqual(7);
    const expected = Object.fromEntries(
      [...byPartition].map(([partition, offsets]) => [partition, offsets.length]),
    );
    await expect.poll(async () => Object.fromEntries(await committedOffsets(group, topic))).toEqual(expected);
    await expect.poll(() => emulator.stats().mappings[0]?.lag, { timeout: 5000 }).toBe(0);
  });

  it('runs partitions concurrently, up to one environment per partition, never two batches of a partition at once', async () => {
    // Prepare
    const { topic, recordDir, emulator } = await startRecordingEmulator({
      bundleDir,
      partitions: 3,
      kafka: { batchSize: 2, maximumBatchingWindow: 1 },
    });
    const sleepMs = 400;

    // Act
    await produce(
      topic,
      Array.from({ length: 12 }, (_, n) => ({
        partition: n % 3,
        value: json({ n, sleepMs, sleepUntil: 1 }),
      })),
    );
    const invocations = await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 12);

    // Assert
    for (const partition of [0, 1, 2]) {
      const starts = invocations
        .filter((i) => deliveredRecords([i]).some((r) => r.partition === partition))
        .map((i) => i.at);
      for (let i = 1; i < starts.length; i += 1) {
        expect((starts[i] ?? 0) - (starts[i - 1] ?? 0)).toBeGreaterThanOrEqual(sleepMs - 20);
      }
    }
    const { coldStarts } = emulator.stats().functions.recorder ?? { coldStarts: 0 };
    expect(coldStarts).toBeGreaterThan(1);
    expect(coldStarts).toBeLessThanOrEqual(3);
  });

  it('keeps one warm module scope across invocations', async () => {
    // Prepare
    const { topic, recordDir, emulator } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 1 },
    });

    // Act
    await produce(
      topic,
      Array.from({ length: 8 }, (_, n) => ({ value: json({ n }) })),
    );
    const invocations = await waitForInvocations(recordDir, (all) => all.length >= 8);

    // Assert
    expect(new Set(invocations.map((i) => i.instanceId)).size).toBe(1);
    expect(invocations.map((i) => i.invocation)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(emulator.stats().functions.recorder?.coldStarts).toBe(1);
  });

  it('cuts a batch before its payload exceeds the 6 MB invocation quota', async () => {
    // Prepare
    const { topic, recordDir, emulator } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 100, maximumBatchingWindow: 3 },
    });
    // 700 KB values are ~933 KB in base64: six fit in 6 MB (6,291,456 bytes), seven do not.
    const big = 'x'.repeat(700 * 1024);

    // Act
    for (let n = 0; n < 8; n += 1) await produce(topic, [{ value: big }]);
    const invocations = await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 8);

    // Assert
    expect(invocations.map((i) => deliveredRecords([i]).length)).toEqual([6, 2]);
    const largest = emulator.stats().mappings[0]?.maxPayloadBytes ?? 0;
    expect(largest).toBeLessThanOrEqual(6 * 1024 * 1024);
    expect(largest).toBeGreaterThan(5 * 1024 * 1024);
  });
});

describe('ESM emulator filtering', () => {
  it('never delivers filtered records and commits their offsets', async () => {
    // Prepare
    const {
      topic,
      groupId: group,
      recordDir,
    } = await startRecordingEmulator({
      bundleDir,
      kafka: {
        batchSize: 100,
        maximumBatchingWindow: 1,
        filterPatterns: [
          { value: { type: ['purchase'], price: [{ numeric: ['>=', 10] }] } },
          { value: { page: [{ prefix: '/cart' }] } },
        ],
      },
    });

    // Act
    await produce(topic, [
      { value: json({ type: 'purchase', price: 12 }) }, // delivered
      { value: json({ type: 'purchase', price: 5 }) }, // filtered: price
      { value: json({ type: 'view', page: '/cart/1' }) }, // delivered: second filter
      { value: json({ type: 'view', page: '/home' }) }, // filtered
      { value: json({ type: 'view' }) }, // filtered (last record of the topic)
    ]);
    const invocations = await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 2);

    // Assert
    await expect.poll(async () => (await committedOffsets(group, topic)).get(0)).toBe(5);
    expect(deliveredRecords(readInvocations(recordDir)).map((r) => r.offset)).toEqual([0, 2]);
    expect(invocations).toHaveLength(1);
  });
});

describe('ESM emulator configuration', () => {
  it('refuses to start a mapping whose topic does not exist, naming the function and setting', async () => {
    // Prepare
    const recordDir = recordDirectory();
    const missing = `missing-${randomUUID().slice(0, 8)}`;

    // Act
    const starting = emulatorFor({
      bundleDir,
      config: recorderConfig({ recordDir, kafka: { topic: missing } }),
    });

    // Assert
    await expect(starting).rejects.toThrow(MappingConfigError);
    await expect(starting).rejects.toThrow(`function "recorder": Topics topic "${missing}" does not exist`);
  });

  it('refuses a batch size out of range before touching Kafka', async () => {
    // Prepare
    const topic = `unused-${randomUUID().slice(0, 8)}`;

    // Act
    const starting = emulatorFor({
      bundleDir,
      config: recorderConfig({ recordDir: '/nonexistent', kafka: { topic, batchSize: 20_000 } }),
    });

    // Assert
    await expect(starting).rejects.toThrow(
      'function "recorder": BatchSize must be an integer from 1 to 10000',
    );
  });
});
