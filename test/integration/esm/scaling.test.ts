/**
 * The ESM emulator's event pollers, MaximumRecordAgeInSeconds and low-latency mode on the
 * real broker: on-demand scaling with the offset lag (a scaled clock: evaluations every
 * 200 ms instead of every minute), the partition cap of provisioned mode, expired records to
 * the on-failure destination or dropped, and a batching window of 0.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { MappingStats } from '../../../emulators/esm/poller.ts';
import { pollUntil } from '../../../tooling/poll.ts';
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

/** Scaled clock: evaluate the lag every 200 ms and apply an on-demand decision 200 ms later. */
const FAST_SCALING = { scalingIntervalMs: 200, scalingDelayMs: 200 } as const;

/** Samples the mapping's stats every 50 ms until `until` holds; returns every sample. */
const sampleUntil = async (
  stats: () => MappingStats | undefined,
  until: (sample: MappingStats) => boolean,
  timeoutMs = 30_000,
): Promise<MappingStats[]> => {
  const samples: MappingStats[] = [];
  await pollUntil(
    async () => {
      const sample = stats();
      if (sample === undefined) return undefined;
      samples.push(sample);
      return until(sample) ? true : undefined;
    },
    { timeoutMs, intervalMs: 50, what: 'the mapping stats to reach the expected state' },
  );
  return samples;
};

/** Reads every message of `topic` as JSON, until `count` have arrived. */
const readTopic = async (topic: string, count: number): Promise<unknown[]> => {
  const consumer = testKafka('esm-test-destination').consumer({ groupId: uniqueGroupId() });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: unknown[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(JSON.parse(message.value?.toString() ?? 'null'));
    },
  });
  try {
    await expect.poll(() => values.length, { timeout: 15_000 }).toBe(count);
  } finally {
    await consumer.disconnect();
  }
  return values;
};

describe('ESM emulator event pollers', () => {
  it('on demand: starts with one poller, adds pollers while the lag is high, and returns to one when it is gone', async () => {
    // Prepare: 12 partitions, a function taking 300 ms a batch.
    const partitions = 12;
    const { topic, recordDir, emulator } = await startRecordingEmulator({
      bundleDir,
      partitions,
      kafka: { batchSize: 5, maximumBatchingWindow: 1 },
      emulator: FAST_SCALING,
    });
    const stats = () => emulator.stats().mappings[0];
    const first = stats();

    // Act
    const perPartition = 25;
    await produce(
      topic,
      Array.from({ length: partitions * perPartition }, (_, n) => ({
        partition: n % partitions,
        value: json({ n, sleepMs: 300, sleepUntil: 1 }),
      })),
    );
    const rising = await sampleUntil(stats, (sample) => sample.pollers >= 2);
    const draining = await sampleUntil(
      stats,
      (sample) => sample.recordsDelivered === partitions * perPartition && sample.pollers === 1,
    );

    // Assert
    expect(first).toMatchObject({ scalingMode: 'on-demand', pollers: 1, maxConcurrency: 5 });
    const samples = [...rising, ...draining];
    expect(Math.max(...samples.map((s) => s.pollers))).toBeGreaterThanOrEqual(2);
    // Never more pollers than partitions; each poller brings five invocation slots.
    for (const sample of samples) {
      expect(sample.pollers).toBeLessThanOrEqual(partitions);
      expect(sample.maxConcurrency).toBe(Math.min(sample.pollers * 5, partitions));
    }
    expect(Math.max(...samples.map((s) => s.maxConcurrency))).toBeGreaterThan(5);
    const offsets = deliveredRecords(readInvocations(recordDir)).map((r) => `${r.partition}/${r.offset}`);
    expect(new Set(offsets).size).toBe(partitions * perPartition);
  });

  it('provisioned: starts at MinimumPollers and caps MaximumPollers at the partition count', async () => {
    // Prepare
    const { topic, emulator } = await startRecordingEmulator({
      bundleDir,
      partitions: 2,
      kafka: { batchSize: 1, maximumBatchingWindow: 1 },
      esm: { provisionedPollerConfig: { minimumPollers: 2, maximumPollers: 10 } },
      emulator: FAST_SCALING,
    });
    const stats = () => emulator.stats().mappings[0];

    // Act
    await produce(
      topic,
      Array.from({ length: 200 }, (_, n) => ({
        partition: n % 2,
        value: json({ n, sleepMs: 20, sleepUntil: 1 }),
      })),
    );
    const samples = await sampleUntil(stats, (sample) => sample.recordsDelivered === 200);

    // Assert
    expect(samples[0]).toMatchObject({ scalingMode: 'provisioned', pollers: 2 });
    for (const sample of samples) {
      expect(sample.pollers).toBe(2);
      expect(sample.maxConcurrency).toBe(2);
    }
  });
});

describe('ESM emulator MaximumRecordAgeInSeconds', () => {
  const twoMinutesAgo = (): string => String(Date.now() - 120_000);

  it('sends records older than the maximum age to the on-failure destination without invoking, and moves on', async () => {
    // Prepare
    const destination = await createTopic(1);
    const {
      topic,
      groupId: group,
      recordDir,
      emulator,
    } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1, onFailureDestination: `kafka://${destination}` },
      esm: { maximumRecordAgeInSeconds: 60, provisionedPollerConfig: {} },
    });

    // Act
    await produce(topic, [
      { key: 'old-0', value: json({ n: 0 }), timestamp: twoMinutesAgo() },
      { key: 'old-1', value: json({ n: 1 }), timestamp: twoMinutesAgo() },
      { key: 'fresh', value: json({ n: 2 }) },
    ]);
    await expect.poll(async () => (await committedOffsets(group, topic)).get(0), { timeout: 20_000 }).toBe(3);
    const expired = await readTopic(destination, 2);

    // Assert
    const invocations = await waitForInvocations(recordDir, (all) => all.length >= 1);
    expect(deliveredRecords(invocations).map((r) => r.offset)).toEqual([2]);
    expect(expired).toEqual([
      expect.objectContaining({
        requestContext: expect.objectContaining({ condition: 'RecordMaximumAgeExceeded' }),
        KafkaBatchInfo: expect.objectContaining({
          batchSize: 1,
          recordInfo: expect.objectContaining({ offset: '0' }),
        }),
        payload: expect.objectContaining({
          records: { [`${topic}-0`]: [expect.objectContaining({ offset: 0 })] },
        }),
      }),
      expect.objectContaining({
        KafkaBatchInfo: expect.objectContaining({ recordInfo: expect.objectContaining({ offset: '1' }) }),
      }),
    ]);
    expect(emulator.stats().mappings[0]).toMatchObject({ recordsExpired: 2, recordsToDestination: 2 });
  });

  it('drops expired records (logged) when there is no destination, and the partition moves on', async () => {
    // Prepare
    const {
      topic,
      groupId: group,
      recordDir,
      emulator,
    } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1 },
      esm: { maximumRecordAgeInSeconds: 60, provisionedPollerConfig: {} },
    });

    // Act
    await produce(topic, [
      { value: json({ n: 0 }), timestamp: twoMinutesAgo() },
      { value: json({ n: 1 }) },
      { value: json({ n: 2 }), timestamp: twoMinutesAgo() },
    ]);
    await expect.poll(async () => (await committedOffsets(group, topic)).get(0), { timeout: 20_000 }).toBe(3);

    // Assert
    expect(deliveredRecords(readInvocations(recordDir)).map((r) => r.offset)).toEqual([1]);
    expect(emulator.stats().mappings[0]).toMatchObject({ recordsExpired: 2, recordsDropped: 2 });
  });
});

describe('ESM emulator low latency', () => {
  it('with a batching window of 0 in provisioned mode, invokes as soon as a record arrives, not when the batch fills', async () => {
    // Prepare
    const { topic, recordDir } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 100 },
      esm: { maximumBatchingWindow: 0, provisionedPollerConfig: { minimumPollers: 1, maximumPollers: 1 } },
    });

    // Act
    await produce(topic, [{ value: json({ n: 0 }) }]);
    const [invocation] = await waitForInvocations(recordDir, (all) => all.length >= 1);

    // Assert: one record, invoked sooner than the 500 ms default window would allow.
    const [record] = deliveredRecords(invocation === undefined ? [] : [invocation]);
    expect(record?.offset).toBe(0);
    expect((invocation?.at ?? Number.POSITIVE_INFINITY) - (record?.timestamp ?? 0)).toBeLessThan(500);
  });
});
