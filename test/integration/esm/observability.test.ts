/**
 * The ESM emulator's MetricsConfig, LoggingConfig and PollerGroupName on the real broker:
 * the EMF metrics of an interval count what the mapping did, the system log records follow
 * the level, and two provisioned mappings of one poller group report the group's pollers.
 */

import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SystemLogRecord } from '../../../emulators/esm/system-log.ts';
import { testBrokers } from '../helpers.ts';
import {
  bundleDirectory,
  committedOffsets,
  createTopic,
  DEPLOYED_BASE,
  emulatorFor,
  json,
  produce,
  RECORDER_HANDLER,
  recordDirectory,
  startRecordingEmulator,
  uniqueGroupId,
} from './support.ts';

let bundleDir: string;

beforeAll(() => {
  bundleDir = bundleDirectory();
});

describe('ESM emulator observability', () => {
  it('publishes the interval counts and the offset lag as EMF, and system log records at the level set', async () => {
    // Prepare: one record is filtered out, one fails once (retried), the rest pass.
    const metricsFile = join(tmpdir(), `esm-metrics-${randomUUID()}.jsonl`);
    onTestFinished(() => rmSync(metricsFile, { force: true }));
    const system: SystemLogRecord[] = [];
    const { topic, groupId, emulator } = await startRecordingEmulator({
      bundleDir,
      kafka: { batchSize: 10, maximumBatchingWindow: 1, filterPatterns: [{ value: { keep: [true] } }] },
      esm: {
        provisionedPollerConfig: { minimumPollers: 1, maximumPollers: 2 },
        metricsConfig: { metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
        loggingConfig: { systemLogLevel: 'INFO' },
      },
      emulator: {
        metricsFile,
        metricsIntervalMs: 3_600_000,
        systemLogOutput: (record) => system.push(record),
      },
    });

    // Act
    await produce(topic, [
      { value: json({ n: 0, keep: true }) },
      { value: json({ n: 1, keep: false }) },
      { value: json({ n: 2, keep: true, throwUntil: 1 }) },
      { value: json({ n: 3, keep: true }) },
    ]);
    await expect
      .poll(async () => (await committedOffsets(groupId, topic)).get(0), { timeout: 20_000 })
      .toBe(4);
    await expect.poll(() => emulator.stats().mappings[0]?.lag, { timeout: 5000 }).toBe(0);
    await emulator.stop();

    // Assert: the final interval (published on stop) holds the whole run.
    const [document] = readFileSync(metricsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(document).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          { Namespace: 'AWS/Lambda', Dimensions: [['EventSourceMappingUUID'], ['FunctionName']] },
        ],
      },
      EventSourceMappingUUID: emulator.stats().mappings[0]?.uuid,
      PolledEventCount: 4,
      FilteredOutEventCount: 1,
      // The first batch (3 records) failed, its retry delivered them.
      InvokedEventCount: 6,
      FailedInvokeEventCount: 3,
      DroppedEventCount: 0,
      CommittedEventCount: 4,
      FunctionErrorCount: 1,
      OffsetLag: 0,
      ProvisionedPollers: 1,
    });
    expect(emulator.metrics()).toEqual([document]);
    expect(system.map((record) => record.logLevel)).not.toContain('DEBUG');
    expect(system).toContainEqual(
      expect.objectContaining({
        logLevel: 'INFO',
        eventType: 'POLLER_STATUS_EVENT',
        message: 'event source mapping started',
      }),
    );
    expect(system).toContainEqual(
      expect.objectContaining({
        logLevel: 'WARN',
        eventType: 'ESM_PROCESSING_EVENT',
        message: 'batch failed',
      }),
    );
  });

  it('lets two provisioned mappings of one poller group share its pollers, and reports the group', async () => {
    // Prepare
    const [first, second] = [await createTopic(1), await createTopic(1)];
    const recordDir = recordDirectory();
    const fn = (topic: string) => ({
      handler: RECORDER_HANDLER,
      environment: { RECORD_DIR: recordDir },
      events: [
        {
          kafka: { bootstrapServers: testBrokers(), topic, consumerGroupId: uniqueGroupId(), batchSize: 10 },
        },
      ],
    });
    const grouped = {
      provisionedPollerConfig: { minimumPollers: 1, maximumPollers: 3, pollerGroupName: 'shared' },
    };
    const emulator = await emulatorFor({
      bundleDir,
      config: {
        ...DEPLOYED_BASE,
        functions: { first: fn(first), second: fn(second) },
        custom: { ...DEPLOYED_BASE.custom, esm: { first: grouped, second: grouped } },
      },
    });

    // Act
    await produce(first, [{ value: json({ n: 0 }) }]);
    await produce(second, [{ value: json({ n: 0 }) }]);

    // Assert
    const stats = emulator.stats();
    expect(stats.pollerGroups).toEqual([{ name: 'shared', mappings: 2, pollers: 2, maximumPollers: 2000 }]);
    expect(stats.mappings.map((mapping) => mapping.pollerGroup?.name)).toEqual(['shared', 'shared']);
  });
});
