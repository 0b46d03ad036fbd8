import { beforeAll, describe, expect, it } from 'vitest';
import { testKafka } from '../helpers.ts';
import {
  bundleDirectory,
  committedOffsets,
  createTopic,
  deliveredRecords,
  json,
  produce,
  readInvocations,
  startRecordingEmulator,
  uniqueGroupId,
  waitForInvocations,
} from './support.ts';

let bundleDir: string;

beforeAll(() => {
  bundleDir = bundleDirectory();
});

const offsetsOf = (invocation: Parameters<typeof deliveredRecords>[0][number] | undefined): number[] =>
  invocation === undefined ? [] : deliveredRecords([invocation]).map((record) => record.offset);

describe('ESM emulator on function errors', () => {
  it('retries the whole batch and commits nothing while the function fails', async () => {
    // Prepare
    const {
      topic,
      groupId: group,
      recordDir,
      emulator,
    } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1 },
    });

    // Act
    await produce(topic, [
      { value: json({ n: 0 }) },
      { value: json({ n: 1, throwUntil: 1000 }) },
      { value: json({ n: 2 }) },
    ]);
    const invocations = await waitForInvocations(recordDir, (all) => all.length >= 4);

    // Assert
    for (const invocation of invocations) expect(offsetsOf(invocation)).toEqual([0, 1, 2]);
    expect((await committedOffsets(group, topic)).get(0)).toBe(0);
    const stats = emulator.stats().mappings[0];
    expect(stats?.retries).toBeGreaterThanOrEqual(3);
    expect(stats?.recordsDelivered).toBe(0);
  });

  it('commits after the retry that succeeds, without losing or skipping a record', async () => {
    // Prepare
    const {
      topic,
      groupId: group,
      recordDir,
    } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1 },
    });

    // Act
    await produce(topic, [{ value: json({ n: 0, throwUntil: 2 }) }, { value: json({ n: 1 }) }]);
    const invocations = await waitForInvocations(recordDir, (all) => all.length >= 3);

    // Assert
    expect(invocations.map(offsetsOf)).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    await expect.poll(async () => (await committedOffsets(group, topic)).get(0)).toBe(2);
  });

  it('treats a timeout as an error and replaces the timed-out environment with a cold one', async () => {
    // Prepare
    const {
      topic,
      groupId: group,
      recordDir,
      emulator,
    } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1 },
      emulator: { timeoutMs: 1000 },
    });

    // Act
    await produce(topic, [{ value: json({ n: 0, sleepMs: 5000, sleepUntil: 1 }) }]);
    const invocations = await waitForInvocations(recordDir, (all) => all.length >= 2);

    // Assert
    const [timedOut, retried] = invocations;
    expect(offsetsOf(retried)).toEqual([0]);
    expect(retried?.instanceId).not.toBe(timedOut?.instanceId);
    await expect.poll(async () => (await committedOffsets(group, topic)).get(0)).toBe(1);
    const stats = emulator.stats();
    expect(stats.mappings[0]?.timeouts).toBe(1);
    expect(stats.functions.recorder?.coldStarts).toBe(2);
  });

  it('retries on a new environment when the runtime exits mid-invocation', async () => {
    // Prepare
    const {
      topic,
      groupId: group,
      recordDir,
      emulator,
    } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1 },
    });

    // Act
    await produce(topic, [{ value: json({ n: 0, exitUntil: 1 }) }, { value: json({ n: 1 }) }]);
    const invocations = await waitForInvocations(recordDir, (all) => all.length >= 2);

    // Assert
    const [crashed, retried] = invocations;
    expect(offsetsOf(retried)).toEqual([0, 1]);
    expect(retried?.instanceId).not.toBe(crashed?.instanceId);
    await expect.poll(async () => (await committedOffsets(group, topic)).get(0)).toBe(2);
    expect(emulator.stats().mappings[0]?.lastError).toMatch(/Runtime.ExitError/);
  });
});

describe('ESM emulator with ReportBatchItemFailures', () => {
  it('resumes each partition from its lowest failed offset', async () => {
    // Prepare
    const {
      topic,
      groupId: group,
      recordDir,
    } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1 },
      esm: { functionResponseTypes: ['ReportBatchItemFailures'], provisionedPollerConfig: {} },
    });

    // Act
    await produce(
      topic,
      Array.from({ length: 6 }, (_, n) => ({
        value: json({ n, ...(n === 2 || n === 4 ? { rejectUntil: 1 } : {}) }),
      })),
    );
    const invocations = await waitForInvocations(recordDir, (all) => all.length >= 2);

    // Assert
    expect(invocations.map(offsetsOf)).toEqual([
      [0, 1, 2, 3, 4, 5],
      [2, 3, 4, 5],
    ]);
    await expect.poll(async () => (await committedOffsets(group, topic)).get(0)).toBe(6);
  });

  it('retries the whole batch when an identifier names no record of the batch', async () => {
    // Prepare
    const {
      topic,
      groupId: group,
      recordDir,
    } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1 },
      esm: { functionResponseTypes: ['ReportBatchItemFailures'], provisionedPollerConfig: {} },
    });

    // Act
    await produce(topic, [
      { value: json({ n: 0 }) },
      { value: json({ n: 1, bogusUntil: 1 }) },
      { value: json({ n: 2 }) },
    ]);
    const invocations = await waitForInvocations(recordDir, (all) => all.length >= 2);

    // Assert
    expect(invocations.map(offsetsOf)).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
    await expect.poll(async () => (await committedOffsets(group, topic)).get(0)).toBe(3);
  });
});

describe('ESM emulator retry limits', () => {
  it('bisects a failing batch, sends the poison record to the kafka:// on-failure destination and moves on', async () => {
    // Prepare
    const destination = await createTopic(1);
    const {
      topic,
      groupId: group,
      recordDir,
      emulator,
    } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 4, maximumBatchingWindow: 1, onFailureDestination: `kafka://${destination}` },
      esm: { maximumRetryAttempts: 1, bisectBatchOnFunctionError: true, provisionedPollerConfig: {} },
    });

    // Act
    await produce(topic, [
      { value: json({ n: 0 }) },
      { key: 'poison-key', value: json({ n: 1, throwUntil: 1000 }) },
      { value: json({ n: 2 }) },
      { value: json({ n: 3 }) },
    ]);
    await expect.poll(async () => (await committedOffsets(group, topic)).get(0), { timeout: 20_000 }).toBe(4);
    const consumer = testKafka('esm-test-dlq').consumer({ groupId: uniqueGroupId() });
    await consumer.connect();
    await consumer.subscribe({ topic: destination, fromBeginning: true });
    const dead: Array<{ key: string | undefined; value: string }> = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        dead.push({ key: message.key?.toString(), value: message.value?.toString() ?? '' });
      },
    });
    await expect.poll(() => dead.length, { timeout: 10_000 }).toBe(1);
    await consumer.disconnect();

    // Assert
    const invocations = readInvocations(recordDir);
    const succeeded = invocations.map(offsetsOf).filter((offsets) => !offsets.includes(1));
    expect(succeeded.flat().sort()).toEqual([0, 2, 3]);
    // The whole batch, its first half, then the poison record alone twice (one retry).
    const carrying = invocations.filter((invocation) => offsetsOf(invocation).includes(1));
    expect(carrying.map(offsetsOf)).toEqual([[0, 1, 2, 3], [0, 1], [1], [1]]);
    const [record] = dead;
    expect(record?.key).toBe('poison-key');
    const failure: unknown = JSON.parse(record?.value ?? '{}');
    expect(failure).toMatchObject({
      requestContext: {
        condition: 'RetriesExhausted',
        approximateInvokeCount: carrying.length,
        requestId: carrying.at(-1)?.requestId,
      },
      responseContext: { functionError: 'Unhandled' },
      version: '1.0',
      KafkaBatchInfo: { batchSize: 1, recordInfo: { offset: '1' } },
      payload: { eventSource: 'SelfManagedKafka', records: { [`${topic}-0`]: [{ offset: 1 }] } },
    });
    const stats = emulator.stats().mappings[0];
    expect(stats?.bisections).toBeGreaterThanOrEqual(1);
    expect(stats?.recordsToDestination).toBe(1);
  });
});
