/**
 * The SASL code paths that Confluent Cloud (SASL/PLAIN) and self-managed clusters
 * (SASL/SCRAM-SHA-512) use, against a real broker with a SASL_PLAINTEXT listener and
 * generated credentials: the load generator and the functions' producer (the one client
 * factory, services/kafka/client.ts) authenticate and deliver; wrong credentials end at once
 * with one message naming the mechanism and the broker, not a retry storm.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LazyKafkaProducer } from '../../functions/commons/lazy-kafka-producer.ts';
import { type KafkaCluster, startKafka } from '../../local/kafka/launcher.ts';
import { createKafkaClient } from '../../services/kafka/client.ts';
import { type KafkaConnection, plaintextConnection } from '../../services/kafka/connection.ts';
import { countRecords } from '../../services/kafka/topic-reader.ts';
import { createTopics } from '../../services/kafka/topics.ts';
import { silentLogger } from '../../tooling/logger.ts';
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
