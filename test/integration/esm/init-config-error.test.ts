import { expect, it } from 'vitest';
import { testBrokers } from '../helpers.ts';
import {
  bundleDirectory,
  createTopic,
  DEPLOYED_BASE,
  emulatorFor,
  json,
  produce,
  uniqueGroupId,
} from './support.ts';

it('stops the mapping, naming the setting, when the function init fails with a ConfigError', {
  timeout: 120_000,
}, async () => {
  // Prepare
  const topic = await createTopic(1);
  const fatal: Error[] = [];
  const emulator = await emulatorFor({
    bundleDir: bundleDirectory(),
    onFatal: (error) => fatal.push(error),
    config: {
      ...DEPLOYED_BASE,
      functions: {
        broken: {
          handler: 'test/fixtures/handlers/config-error.handler',
          events: [{ kafka: { bootstrapServers: testBrokers(), topic, consumerGroupId: uniqueGroupId() } }],
        },
      },
    },
  });

  // Act
  await produce(topic, [{ value: json({ n: 0 }) }]);

  // Assert
  await expect
    .poll(() => (fatal.length > 0 ? 1 : JSON.stringify(emulator.stats().mappings[0])), { timeout: 60_000 })
    .toBe(1);
  expect(fatal[0]?.message).toMatch(/ConfigError: .*ANALYTICS_TABLE must not be empty/);
  await expect.poll(() => emulator.stats().mappings[0]?.state, { timeout: 10_000 }).toBe('stopped');
  expect(emulator.stats().mappings[0]?.lastProcessingResult).toBe('PROBLEM: Function init failed');
});
