import { type AddressInfo, createServer, type Socket } from 'node:net';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { syntheticProfiles } from '../../../load-generator/synthetic-profiles.ts';
import { decodeEvent, EventDecodeError } from '../../../services/clickstream/index.ts';
import type { StoredRecord } from '../../../services/kafka/record.ts';
import { DynamoDbProfileStore } from '../../../services/profiles/index.ts';
import { freePort } from '../../../tooling/ports.ts';
import { readTopic } from '../aggregation/read-topic.ts';
import { createTestTables, createTestTopic, dynamoClient, testBrokers } from '../helpers.ts';
import { runLoad } from './run-load.ts';

const Summary = (stdout: string) =>
  JSON.parse(stdout.trim()) as {
    sent: number;
    acked: number;
    valid: number;
    bad: { malformedJson: number; schemaInvalid: number; oversized: number };
    errors: number;
    seed: number;
  };

const byPartition = (records: StoredRecord[]) =>
  records.map((r) => [r.partition, r.key?.toString(), r.timestamp, r.value?.toString()]);

// Each test starts the command (tsx start-up included) and reads the topic back: on a busy
// 2-core machine that can take longer than the project's default.
describe('npm run load against a real broker', { timeout: 120_000 }, () => {
  it('puts exactly the reported records in Kafka: valid events plus each kind of bad one', async () => {
    // Prepare
    const topic = await createTestTopic(3, 'load');

    // Act
    const run = await runLoad(
      [
        '--events',
        '3000',
        '--rate',
        '3000',
        '--seed',
        '7',
        '--bad-rate',
        '0.05',
        '--topic',
        topic,
        '--json',
        '--skip-profiles',
      ],
      { KAFKA_BROKERS: testBrokers().join(',') },
    );

    // Assert
    expect(run.code, run.stderr).toBe(0);
    const summary = Summary(run.stdout);
    expect(summary).toMatchObject({ sent: 3000, acked: 3000, errors: 0, seed: 7 });
    expect(summary.bad.malformedJson).toBeGreaterThan(0);
    expect(summary.bad.schemaInvalid).toBeGreaterThan(0);
    expect(summary.bad.oversized).toBeGreaterThan(0);

    const records = await readTopic(topic, summary.acked);
    const found = {
      valid: 0,
      MALFORMED_JSON: 0,
      SCHEMA_INVALID: 0,
      OVERSIZED: 0,
      EMPTY_VALUE: 0,
      EVENT_TIME_OUT_OF_RANGE: 0,
      MALFORMED_AVRO: 0,
    };
    for (const record of records) {
      try {
        const event = decodeEvent(record.value ?? Buffer.alloc(0));
        expect(record.key?.toString()).toBe(event.userId);
        found.valid++;
      } catch (error) {
        if (!(error instanceof EventDecodeError)) throw error;
        found[error.reason]++;
      }
    }
    expect(records).toHaveLength(summary.acked);
    expect(found).toEqual({
      valid: summary.valid,
      MALFORMED_JSON: summary.bad.malformedJson,
      SCHEMA_INVALID: summary.bad.schemaInvalid,
      OVERSIZED: summary.bad.oversized,
      EMPTY_VALUE: 0,
      EVENT_TIME_OUT_OF_RANGE: 0,
      MALFORMED_AVRO: 0,
    });
  });

  it('produces identical records for the same seed and start time', async () => {
    // Prepare
    const [first, second] = [await createTestTopic(3, 'load-a'), await createTestTopic(3, 'load-b')];
    const args = [
      '--events',
      '1500',
      '--rate',
      '5000',
      '--seed',
      '11',
      '--start-time',
      '2025-06-01T12:00:00Z',
    ];
    const env = { KAFKA_BROKERS: testBrokers().join(',') };

    // Act
    const runs = [
      await runLoad([...args, '--topic', first, '--json', '--skip-profiles'], env),
      await runLoad([...args, '--topic', second, '--json', '--skip-profiles'], env),
    ];

    // Assert
    expect(runs.map((run) => run.code)).toEqual([0, 0]);
    const [a, b] = [await readTopic(first, 1500), await readTopic(second, 1500)];
    expect(byPartition(b)).toEqual(byPartition(a));
  });

  it('fails fast, naming the brokers, when Kafka is unreachable', async () => {
    // Prepare: a port nothing listens on.
    const broker = `127.0.0.1:${await freePort()}`;

    // Act
    const run = await runLoad(['--events', '10', '--json', '--skip-profiles'], { KAFKA_BROKERS: broker });

    // Assert
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach Kafka at ${broker}`);
    expect(run.stdout).toBe('');
  });

  it('ends within its bound, naming the brokers, when Kafka accepts connections and never answers', async () => {
    // Prepare: a port that accepts TCP and then stays silent (a wrong port, a dead proxy).
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const broker = `127.0.0.1:${(silent.address() as AddressInfo).port}`;

    // Act
    const run = await runLoad(['--events', '10', '--json', '--skip-profiles'], { KAFKA_BROKERS: broker });
    for (const socket of sockets) socket.destroy();
    silent.close();

    // Assert: CONNECT_TIMEOUT_MS (10 s) plus start-up, well under the 20 s --help states.
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach Kafka at ${broker} within 10 s`);
    expect(run.ms).toBeLessThan(20_000);
    expect(run.stdout).toBe('');
  }, 30_000);

  it('seeds the user profiles of the seed into the configured table', async () => {
    // Prepare
    const tables = await createTestTables();
    const env = {
      USER_PROFILES_TABLE: tables.userProfiles,
      DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
    };

    // Act
    const run = await runLoad(['--profiles-only', '--users', '300', '--seed', '3', '--json'], env);

    // Assert
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ profilesWritten: 300, seed: 3 });
    const client = dynamoClient();
    const store = new DynamoDbProfileStore(DynamoDBDocumentClient.from(client), tables.userProfiles);
    const expected = syntheticProfiles(3, 300);
    const { profiles } = await store.getProfiles(expected.map((profile) => profile.userId));
    expect([...profiles.values()].sort((a, b) => a.userId.localeCompare(b.userId))).toEqual(expected);
    client.destroy();
  });
});
