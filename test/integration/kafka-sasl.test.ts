/**
 * The SASL code paths that Confluent Cloud (SASL/PLAIN) and self-managed clusters
 * (SASL/SCRAM-SHA-512) use, against a real broker with a SASL_PLAINTEXT listener and
 * generated credentials: the load generator, the functions' producer (the one client
 * factory, services/kafka/client.ts) and the ESM emulator (SourceAccessConfigurations, the
 * secret served by the local Secrets Manager stand-in through the real SDK client)
 * authenticate and deliver; wrong credentials end at once with one message naming the
 * mechanism and the broker, not a retry storm.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../emulators/esm/emulator.ts';
import { MappingAuthenticationError } from '../../emulators/esm/errors.ts';
import { type SecretsManagerEmulator, startSecretsManager } from '../../emulators/secrets-manager/server.ts';
import { LazyKafkaProducer } from '../../functions/commons/lazy-kafka-producer.ts';
import { type KafkaCluster, startKafka } from '../../local/kafka/launcher.ts';
import { createKafkaClient } from '../../services/kafka/client.ts';
import { type KafkaConnection, plaintextConnection } from '../../services/kafka/connection.ts';
import { countRecords } from '../../services/kafka/topic-reader.ts';
import { createTopics } from '../../services/kafka/topics.ts';
import { silentLogger, type ToolLog } from '../../tooling/logger.ts';
import { pollUntil } from '../../tooling/poll.ts';
import {
  bundleDirectory,
  deliveredRecords,
  RECORDER_HANDLER,
  readInvocations,
  recordDirectory,
  recorderConfig,
  SERVICE_DIR,
  uniqueGroupId,
  waitForInvocations,
} from './esm/support.ts';
import { runLoad } from './load-generator/run-load.ts';

const USER = 'clickstream';
const PASSWORD = randomBytes(18).toString('base64url');

let cluster: KafkaCluster;

beforeAll(async () => {
  cluster = await startKafka({ heapMb: 384, sasl: { users: { [USER]: PASSWORD } } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const saslBrokers = (): string[] => cluster.saslBrokers ?? [];

const connection = (mechanism: 'plain' | 'scram-sha-512', password = PASSWORD): KafkaConnection => ({
  brokers: saslBrokers(),
  ssl: false,
  sasl: { mechanism, username: USER, password },
});

/** Counts records through the PLAINTEXT listener, so the check does not depend on SASL. */
const recordsOn = async (topic: string): Promise<number> => {
  const admin = createKafkaClient(plaintextConnection(cluster.brokers), {
    clientId: 'sasl-test-admin',
    log: silentLogger,
  }).admin();
  await admin.connect();
  try {
    return await countRecords(admin, topic);
  } finally {
    await admin.disconnect();
  }
};

const newTopic = async (): Promise<string> => {
  const topic = `sasl-${randomUUID().slice(0, 8)}`;
  await createTopics(
    createKafkaClient(plaintextConnection(cluster.brokers), { clientId: 'sasl-test', log: silentLogger }),
    [{ topic, partitions: 1 }],
  );
  return topic;
};

describe('Kafka over SASL', () => {
  it.each(['plain', 'scram-sha-512'] as const)(
    'the load generator produces with SASL/%s',
    async (mechanism) => {
      // Prepare
      const topic = await newTopic();

      // Act
      const run = await runLoad(
        ['--topic', topic, '--events', '300', '--rate', '1000', '--skip-profiles', '--json'],
        {
          KAFKA_BROKERS: saslBrokers().join(','),
          KAFKA_SASL_MECHANISM: mechanism,
          KAFKA_SASL_USERNAME: USER,
          KAFKA_SASL_PASSWORD: PASSWORD,
        },
      );

      // Assert
      expect(run.code, run.stderr).toBe(0);
      expect(await recordsOn(topic)).toBe(300);
    },
    60_000,
  );

  it.each(['plain', 'scram-sha-512'] as const)(
    "the functions' producer sends with SASL/%s",
    async (mechanism) => {
      // Prepare
      const topic = await newTopic();
      const producer = new LazyKafkaProducer(
        createKafkaClient(connection(mechanism), { clientId: 'sasl-test-producer', log: silentLogger }),
        { maxIdleMs: 60_000 },
      );

      // Act
      try {
        await producer.send({
          topic,
          messages: [
            { key: 'k', value: 'v1' },
            { key: 'k', value: 'v2' },
          ],
        });
      } finally {
        await producer.disconnect();
      }

      // Assert
      expect(await recordsOn(topic)).toBe(2);
    },
    30_000,
  );

  it('ends at once on wrong credentials, naming the mechanism and the broker', async () => {
    // Prepare
    const topic = await newTopic();

    // Act
    const run = await runLoad(['--topic', topic, '--events', '10', '--skip-profiles', '--json'], {
      KAFKA_BROKERS: saslBrokers().join(','),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: USER,
      KAFKA_SASL_PASSWORD: 'not-the-password',
    });

    // Assert: refused well within the connect deadline, one error line, nothing produced.
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(10_000);
    expect(run.stderr).toMatch(/SCRAM-SHA-512/i);
    expect(run.stderr).toContain(saslBrokers()[0]);
    const errors = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('load-generator:') || line.includes('"level":"ERROR"'));
    expect(errors, run.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(/refused the credentials/);
    expect(await recordsOn(topic)).toBe(0);
  }, 30_000);
});

describe('the ESM emulator over SASL', () => {
  const secretArn = (name: string): string =>
    `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-AbC123`;
  const GOOD = secretArn('clickstream-kafka');
  const WRONG = secretArn('clickstream-kafka-stale');
  let secrets: SecretsManagerEmulator;
  let secretsClient: SecretsManagerClient;
  let bundleDir: string;

  beforeAll(async () => {
    secrets = await startSecretsManager({
      secrets: {
        [GOOD]: { username: USER, password: PASSWORD },
        [WRONG]: { username: USER, password: 'not-the-password' },
      },
    });
    secretsClient = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: secrets.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    bundleDir = bundleDirectory();
  });

  afterAll(async () => {
    secretsClient?.destroy();
    await secrets?.stop();
  });

  /** Log lines at ERROR, kept for the assertions. */
  const errorLog = (): { log: ToolLog; errors: string[] } => {
    const errors: string[] = [];
    return { log: { ...silentLogger, error: (message) => errors.push(message) }, errors };
  };

  const emulatorOn = async (
    options: Omit<EmulatorOptions, 'brokers' | 'serviceDir' | 'bundleDir' | 'secretsManager'>,
  ): Promise<Emulator> => {
    const emulator = await startEmulator({
      serviceDir: SERVICE_DIR,
      brokers: saslBrokers(),
      bundleDir,
      sessionTimeoutMs: 6000,
      secretsManager: () => secretsClient,
      ...options,
    });
    onTestFinished(() => emulator.stop());
    return emulator;
  };

  const produceValues = async (topic: string, count: number): Promise<string[]> => {
    const values = Array.from({ length: count }, (_, index) =>
      JSON.stringify({ n: index, id: randomUUID() }),
    );
    const producer = createKafkaClient(plaintextConnection(cluster.brokers), {
      clientId: 'sasl-test-esm-producer',
      log: silentLogger,
    }).producer();
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
    } finally {
      await producer.disconnect();
    }
    return values;
  };

  it.each([
    ['BASIC_AUTH (SASL/PLAIN)', { saslPlainAuth: [GOOD] }],
    ['SASL_SCRAM_512_AUTH', { saslScram512Auth: [GOOD] }],
  ])(
    'delivers every record exactly once with %s',
    async (_auth, accessConfigurations) => {
      // Prepare
      const topic = await newTopic();
      const values = await produceValues(topic, 250);
      const recordDir = recordDirectory();
      const requestsBefore = secrets.requests();

      // Act
      const emulator = await emulatorOn({
        config: recorderConfig({
          recordDir,
          kafka: { topic, consumerGroupId: uniqueGroupId(), batchSize: 100, accessConfigurations },
        }),
      });
      await pollUntil(
        async () => (emulator.stats().mappings[0]?.committedOffsets[`${topic}-0`] === 250 ? true : undefined),
        { timeoutMs: 30_000, what: 'all 250 offsets committed' },
      );

      // Assert
      const delivered = deliveredRecords(readInvocations(recordDir)).map((record) =>
        Buffer.from(record.value ?? '', 'base64').toString('utf8'),
      );
      expect(delivered).toHaveLength(250);
      expect(delivered).toEqual(values);
      expect(readInvocations(recordDir)[0]?.event.bootstrapServers).toBe(saslBrokers().join(','));
      expect(secrets.requests()).toBe(requestsBefore + 1);
    },
    90_000,
  );

  it('stops at once on wrong credentials, naming the mechanism, the brokers and the secret', async () => {
    // Prepare
    const topic = await newTopic();
    await produceValues(topic, 5);
    const recordDir = recordDirectory();
    const { log, errors } = errorLog();
    const started = performance.now();

    // Act
    const failure = await emulatorOn({
      config: recorderConfig({
        recordDir,
        kafka: {
          topic,
          consumerGroupId: uniqueGroupId(),
          accessConfigurations: { saslScram512Auth: [WRONG] },
        },
      }),
      log,
    }).catch((error: unknown) => error);

    // Assert: one error, within the connect deadline, nothing delivered.
    expect(failure).toBeInstanceOf(MappingAuthenticationError);
    const message = (failure as Error).message;
    expect(message).toContain('SASL/SCRAM-SHA-512');
    expect(message).toContain(saslBrokers()[0]);
    expect(message).toContain(WRONG);
    expect(message).toContain('function "recorder"');
    expect((failure as MappingAuthenticationError).lastProcessingResult).toBe(
      'PROBLEM: SASL authentication failed',
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(errors).toEqual([]);
    expect(readInvocations(recordDir)).toHaveLength(0);
  }, 30_000);

  it('stops only the mapping whose credentials are refused; the others run', async () => {
    // Prepare
    const [goodTopic, wrongTopic] = [await newTopic(), await newTopic()];
    const values = await produceValues(goodTopic, 20);
    await produceValues(wrongTopic, 20);
    const [goodDir, wrongDir] = [recordDirectory(), recordDirectory()];
    const good = recorderConfig({
      recordDir: goodDir,
      kafka: {
        topic: goodTopic,
        consumerGroupId: uniqueGroupId(),
        accessConfigurations: { saslPlainAuth: [GOOD] },
      },
    }) as { functions: Record<string, unknown> };
    const wrong = {
      handler: RECORDER_HANDLER,
      environment: { RECORD_DIR: wrongDir },
      events: [
        {
          kafka: {
            bootstrapServers: saslBrokers(),
            topic: wrongTopic,
            consumerGroupId: uniqueGroupId(),
            accessConfigurations: { saslPlainAuth: [WRONG] },
          },
        },
      ],
    };
    const { log, errors } = errorLog();

    // Act
    const emulator = await emulatorOn({
      config: { ...good, functions: { ...good.functions, stale: wrong } },
      log,
    });
    await waitForInvocations(goodDir, (invocations) => deliveredRecords(invocations).length >= 20, 30_000);

    // Assert
    const byFunction = new Map(emulator.stats().mappings.map((mapping) => [mapping.functionKey, mapping]));
    expect(byFunction.get('stale')).toMatchObject({
      state: 'stopped',
      lastProcessingResult: 'PROBLEM: SASL authentication failed',
    });
    expect(byFunction.get('stale')?.lastError).toContain('SASL/PLAIN');
    expect(byFunction.get('recorder')).toMatchObject({ state: 'running', lastProcessingResult: undefined });
    expect(errors).toEqual(['mapping stopped: the cluster refused its credentials']);
    expect(
      deliveredRecords(readInvocations(goodDir)).map((r) =>
        Buffer.from(r.value ?? '', 'base64').toString('utf8'),
      ),
    ).toEqual(values);
    expect(readInvocations(wrongDir)).toHaveLength(0);
  }, 90_000);
});
