import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { testBrokers } from '../helpers.ts';
import {
  bundleDirectory,
  committedOffsets,
  createTopic,
  deliveredRecords,
  emulatorFor,
  json,
  produce,
  readInvocations,
  recordDirectory,
  recorderConfig,
  SERVICE_DIR,
  uniqueGroupId,
  waitForInvocations,
} from './support.ts';

let bundleDir: string;

beforeAll(() => {
  bundleDir = bundleDirectory();
});

/** Runs the emulator CLI (`npm run esm`) on a resolved configuration file, as a separate process. */
const startCli = (configFile: string): ChildProcess => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(SERVICE_DIR, 'emulators/esm/cli.ts'),
      '--config',
      configFile,
      '--brokers',
      testBrokers().join(','),
      '--bundle-dir',
      bundleDir,
      '--session-timeout',
      '6000',
      '--stats-interval',
      '0',
    ],
    {
      cwd: SERVICE_DIR,
      env: { ...process.env, ESM_LOG_LEVEL: 'SILENT' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
};

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('ESM emulator restarts', () => {
  it('after kill -9, a restart resumes from the committed offsets and loses nothing', async () => {
    // Prepare
    const topic = await createTopic(2);
    const group = uniqueGroupId();
    const recordDir = recordDirectory();
    const configFile = join(recordDir, 'resolved.json');
    writeFileSync(
      configFile,
      JSON.stringify(
        recorderConfig({
          recordDir,
          kafka: { topic, consumerGroupId: group, batchSize: 5, maximumBatchingWindow: 1 },
        }),
      ),
    );
    const perPartition = 60;
    await produce(
      topic,
      Array.from({ length: perPartition * 2 }, (_, n) => ({
        partition: n % 2,
        // Slow on first delivery only, so the kill lands mid-run and the rerun is quick.
        value: json({ n, sleepMs: 150, sleepUntil: 1 }),
      })),
    );

    // Act
    const first = startCli(configFile);
    await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 30, 30_000);
    first.kill('SIGKILL');
    await exited(first);
    const beforeKill = readInvocations(recordDir);
    const instancesBeforeKill = new Set(beforeKill.map((i) => i.instanceId));
    const committedAtKill = await committedOffsets(group, topic);

    const second = startCli(configFile);
    await expect
      .poll(async () => Object.fromEntries(await committedOffsets(group, topic)), {
        timeout: 40_000,
        interval: 200,
      })
      .toEqual({ 0: perPartition, 1: perPartition });
    second.kill('SIGTERM');
    const exitCode = await exited(second);

    // Assert
    const all = readInvocations(recordDir);
    const afterRestart = all.filter((i) => !instancesBeforeKill.has(i.instanceId));
    for (const partition of [0, 1]) {
      const delivered = new Set(
        deliveredRecords(all)
          .filter((r) => r.partition === partition)
          .map((r) => r.offset),
      );
      expect([...delivered].sort((a, b) => a - b)).toEqual(Array.from({ length: perPartition }, (_, i) => i));
      const resumedAt = deliveredRecords(afterRestart).find((r) => r.partition === partition)?.offset;
      expect(resumedAt).toBe(committedAtKill.get(partition));
    }
    expect(deliveredRecords(beforeKill).length).toBeLessThan(perPartition * 2);
    expect(exitCode).toBe(0);
  }, 90_000);
});

describe('ESM emulator starting position', () => {
  it('LATEST skips what was produced before the mapping started', async () => {
    // Prepare
    const topic = await createTopic(1);
    const recordDir = recordDirectory();
    await produce(topic, [{ value: json({ n: 0 }) }, { value: json({ n: 1 }) }]);
    await emulatorFor({
      bundleDir,
      config: recorderConfig({
        recordDir,
        kafka: {
          topic,
          consumerGroupId: uniqueGroupId(),
          startingPosition: 'LATEST',
          maximumBatchingWindow: 1,
        },
      }),
    });

    // Act
    await produce(topic, [{ value: json({ n: 2 }) }, { value: json({ n: 3 }) }]);
    const invocations = await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 2);

    // Assert
    expect(deliveredRecords(invocations).map((r) => r.offset)).toEqual([2, 3]);
  });

  it('AT_TIMESTAMP starts at the first record at or after StartingPositionTimestamp', async () => {
    // Prepare
    const topic = await createTopic(1);
    const recordDir = recordDirectory();
    await produce(topic, [{ value: json({ n: 0 }) }, { value: json({ n: 1 }) }]);
    await new Promise((wake) => setTimeout(wake, 50));
    const from = Date.now();
    await new Promise((wake) => setTimeout(wake, 50));
    await produce(topic, [{ value: json({ n: 2 }) }, { value: json({ n: 3 }) }]);

    // Act
    await emulatorFor({
      bundleDir,
      config: recorderConfig({
        recordDir,
        kafka: {
          topic,
          consumerGroupId: uniqueGroupId(),
          startingPosition: 'AT_TIMESTAMP',
          startingPositionTimestamp: from / 1000,
          maximumBatchingWindow: 1,
        },
      }),
    });
    const invocations = await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 2);

    // Assert
    expect(deliveredRecords(invocations).map((r) => r.offset)).toEqual([2, 3]);
  });

  it('ignores StartingPosition once the consumer group has committed offsets', async () => {
    // Prepare
    const topic = await createTopic(1);
    const group = uniqueGroupId();
    const recordDir = recordDirectory();
    const config = recorderConfig({
      recordDir,
      kafka: { topic, consumerGroupId: group, startingPosition: 'TRIM_HORIZON', maximumBatchingWindow: 1 },
    });
    await produce(topic, [{ value: json({ n: 0 }) }, { value: json({ n: 1 }) }]);
    const first = await emulatorFor({ bundleDir, config });
    await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 2);
    await expect.poll(async () => (await committedOffsets(group, topic)).get(0)).toBe(2);
    await first.stop();
    await produce(topic, [{ value: json({ n: 2 }) }]);

    // Act
    await emulatorFor({ bundleDir, config });
    const invocations = await waitForInvocations(recordDir, (all) => deliveredRecords(all).length >= 3);

    // Assert
    expect(deliveredRecords(invocations).map((r) => r.offset)).toEqual([0, 1, 2]);
  });
});
