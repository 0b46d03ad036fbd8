import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (pure, no I/O beyond the process), `integration` (a real Kafka
 * broker and the DynamoDB emulator, started once per run by the global setup) — these two are
 * `npm test` — and `workshop` (`npm run test:workshop`: every runnable block of docs/workshop
 * against the stack the workshop starts, about nine minutes on two cores).
 */
export default defineConfig({
  test: {
    // The default reporter for people, a JSON report for CI's closing line (.ci/run).
    reporters: ['default', ['json', { outputFile: 'test-output/vitest.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One broker on a 2-core machine: files run one at a time, tests inside them too.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'workshop',
          include: ['test/workshop/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/workshop/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
