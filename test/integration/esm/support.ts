/**
 * Helpers for the ESM emulator's integration tests: the deployed configuration with the
 * test's fixture functions in place of the real ones, the recorder fixture's output, and
 * a producer on the run's broker.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IHeaders } from 'kafkajs';
import { onTestFinished } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../../emulators/esm/emulator.ts';
import { createTopics } from '../../../services/kafka/topics.ts';
import { pollUntil } from '../../../tooling/poll.ts';
import { testBrokers, testKafka } from '../helpers.ts';

/** The repository root (handler paths in configurations are relative to it). */
export const SERVICE_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** The recorder fixture's handler, as serverless.yml would name it. */
export const RECORDER_HANDLER = 'test/fixtures/handlers/recorder.handler';

/**
 * The service-level part of serverless.yml as `serverless print` resolves it (provider and
 * custom.esbuild — what decides how functions are bundled and run). Tests own this copy so
 * they do not break while serverless.yml is being edited; keep it in step with the file.
 */
export const DEPLOYED_BASE = {
  service: 'clickstream',
  frameworkVersion: '>=3',
  provider: {
    name: 'aws',
    runtime: 'nodejs24.x',
    architecture: 'arm64',
    region: 'us-east-1',
    stage: 'local',
    memorySize: 512,
    timeout: 60,
    environment: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'clickstream-local' },
  },
  custom: {
    esbuild: {
      bundle: true,
      minify: false,
      sourcemap: true,
      target: 'node20',
      format: 'esm',
      platform: 'node',
      outputFileExtension: '.mjs',
      exclude: [],
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    },
  },
} as const;

/** A `kafka` event as written in serverless.yml. */
export type KafkaEventConfig = Record<string, unknown> & { topic: string };

/**
 * The deployed configuration (provider, custom.esbuild, ...) with one recorder function
 * `fn` subscribed by `kafka`, writing to `recordDir`.
 */
export const recorderConfig = (options: {
  recordDir: string;
  kafka: KafkaEventConfig;
  esm?: Record<string, unknown>;
  environment?: Record<string, string>;
  timeout?: number;
}): unknown => {
  const base = DEPLOYED_BASE;
  return {
    ...base,
    functions: {
      recorder: {
        handler: RECORDER_HANDLER,
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
        environment: { RECORD_DIR: options.recordDir, ...options.environment },
        events: [{ kafka: { bootstrapServers: testBrokers(), ...options.kafka } }],
      },
    },
    custom: { ...base.custom, ...(options.esm === undefined ? {} : { esm: { recorder: options.esm } }) },
  };
};

/** A fresh directory for the recorder, removed after the test. */
export const recordDirectory = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'esm-record-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** A bundle directory shared by the file's tests. */
export const bundleDirectory = (): string => mkdtempSync(join(tmpdir(), 'esm-bundles-'));

/** Starts an emulator for the test and stops it when the test ends. */
export const emulatorFor = async (
  options: Omit<EmulatorOptions, 'brokers' | 'serviceDir'> & { bundleDir: string },
): Promise<Emulator> => {
  const emulator = await startEmulator({
    serviceDir: SERVICE_DIR,
    brokers: testBrokers(),
    sessionTimeoutMs: 6000,
    retryDelayMs: () => 50,
    ...options,
  });
  onTestFinished(() => emulator.stop());
  return emulator;
};

/** A consumer group id unique to the test. */
export const uniqueGroupId = (): string => `esm-test-${randomUUID().slice(0, 8)}`;

/** What {@link startRecordingEmulator} set up for a test. */
export interface RecordingEmulator {
  /** A fresh topic, deleted after the test. */
  readonly topic: string;
  /** The mapping's consumer group. */
  readonly groupId: string;
  /** Where the recorder fixture writes each invocation. */
  readonly recordDir: string;
  readonly emulator: Emulator;
}

/**
 * The common setup of the emulator's integration tests: a fresh topic of `partitions`, a fresh
 * consumer group and record directory, and an emulator running the recorder fixture subscribed
 * by `kafka` (serverless.yml's `kafka` event fields besides topic and group). Everything is
 * torn down when the test ends.
 */
export const startRecordingEmulator = async (options: {
  bundleDir: string;
  partitions?: number;
  kafka?: Omit<KafkaEventConfig, 'topic'>;
  esm?: Record<string, unknown>;
  environment?: Record<string, string>;
  timeout?: number;
  /** Further emulator options (environment overrides, clocks). */
  emulator?: Omit<EmulatorOptions, 'brokers' | 'serviceDir' | 'config' | 'bundleDir'>;
}): Promise<RecordingEmulator> => {
  const topic = await createTopic(options.partitions ?? 1);
  const groupId = uniqueGroupId();
  const recordDir = recordDirectory();
  const emulator = await emulatorFor({
    bundleDir: options.bundleDir,
    config: recorderConfig({
      recordDir,
      kafka: { topic, consumerGroupId: groupId, ...options.kafka },
      ...(options.esm === undefined ? {} : { esm: options.esm }),
      ...(options.environment === undefined ? {} : { environment: options.environment }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    }),
    ...options.emulator,
  });
  return { topic, groupId, recordDir, emulator };
};

/** One record of the event as the recorder saw it. */
export interface RecordedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: string;
  key?: string;
  value?: string;
  headers: Array<Record<string, number[]>>;
}

/** One invocation as the recorder wrote it. */
export interface RecordedInvocation {
  instanceId: string;
  invocation: number;
  requestId: string;
  functionName: string;
  remainingMs: number;
  env: Record<string, string | undefined>;
  /** When the file was written (ms). */
  at: number;
  event: {
    eventSource: string;
    bootstrapServers: string;
    records: Record<string, RecordedRecord[]>;
  } & Record<string, unknown>;
}

/** The recorder's invocations, oldest first. */
export const readInvocations = (recordDir: string): RecordedInvocation[] => {
  const dir = join(recordDir, 'invocations');
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .map((file) => {
      const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<RecordedInvocation, 'at'>;
      return { ...parsed, at: Number(file.slice(0, file.indexOf('-'))) };
    })
    .sort((a, b) => a.at - b.at || a.invocation - b.invocation);
};

/** Every delivered record, flattened in invocation order. */
export const deliveredRecords = (invocations: readonly RecordedInvocation[]): RecordedRecord[] =>
  invocations.flatMap((invocation) => Object.values(invocation.event.records).flat());

/** Waits until `check` holds for the recorder's invocations and returns them. */
export const waitForInvocations = (
  recordDir: string,
  check: (invocations: RecordedInvocation[]) => boolean,
  timeoutMs = 20_000,
): Promise<RecordedInvocation[]> =>
  pollUntil(
    async () => {
      const invocations = readInvocations(recordDir);
      return check(invocations) ? invocations : undefined;
    },
    { timeoutMs, intervalMs: 50, what: 'the expected invocations' },
  );

/**
 * Creates a topic with a unique name for the test (deleted after it) and waits until every
 * partition has a leader. KRaft briefly answers UNKNOWN_TOPIC_OR_PARTITION after a create,
 * which kafkajs' waitForLeaders does not retry, so creation is retried under the same name.
 */
export const createTopic = async (partitions: number): Promise<string> => {
  const topic = `esm-${randomUUID().slice(0, 8)}`;
  const kafka = testKafka('esm-test-admin');
  onTestFinished(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });
  await pollUntil(
    async () => {
      await createTopics(kafka, [{ topic, partitions }]);
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const ready = topics[0]?.partitions.filter((p) => p.leader >= 0).length === partitions;
        return ready ? true : undefined;
      } finally {
        await admin.disconnect();
      }
    },
    { timeoutMs: 15_000, intervalMs: 100, what: `topic ${topic} to have leaders` },
  );
  return topic;
};

/** A message to produce. */
export interface TestMessage {
  key?: string | null;
  value: string | null;
  partition?: number;
  headers?: IHeaders;
  /** The record's CreateTime (epoch ms as a string), as kafkajs takes it. */
  timestamp?: string;
}

/** Produces messages (acks=all) and returns their offsets. */
export const produce = async (topic: string, messages: readonly TestMessage[]): Promise<void> => {
  const producer = testKafka('esm-test-producer').producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({
        key: m.key ?? null,
        value: m.value,
        ...(m.partition === undefined ? {} : { partition: m.partition }),
        ...(m.headers === undefined ? {} : { headers: m.headers }),
        ...(m.timestamp === undefined ? {} : { timestamp: m.timestamp }),
      })),
    });
  } finally {
    await producer.disconnect();
  }
};

/** The committed offsets of a consumer group for a topic, by partition (-1: none). */
export const committedOffsets = async (groupId: string, topic: string): Promise<Map<number, number>> => {
  const admin = testKafka('esm-test-admin').admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
};

/** JSON value helper. */
export const json = (value: unknown): string => JSON.stringify(value);
