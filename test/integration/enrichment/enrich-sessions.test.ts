import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Kafka } from 'kafkajs';
import { afterEach, describe, expect, inject, it, onTestFinished, vi } from 'vitest';
import { DeadLetterHeader } from '../../../services/dead-letter/index.ts';
import { EnrichedSessionSchema, LineageHeader, sessionEventId } from '../../../services/enrichment/index.ts';
import { buildKafkaEvent, type KafkaEvent, toEventRecord } from '../../../services/kafka/esm-event.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';
import { countRecords as countTopicRecords, readTopic } from '../../../services/kafka/topic-reader.ts';
import { DynamoDbProfileStore } from '../../../services/profiles/index.ts';
import {
  anAbandonedCartSessionRow,
  aSessionKey,
  aSessionRecord,
  aSessionRow,
  aSessionTombstone,
} from '../../support/factories/session-row.ts';
import { createTestTables, createTestTopic, dynamoClient, testBrokers, testKafka } from '../helpers.ts';

/*
 * The enrich-sessions handler as Lambda runs it: its module imported once per instance
 * (module scope = the instance), invoked with the event source mapping's payload, producing
 * to a real broker and reading profiles from the DynamoDB emulator.
 */

interface Instance {
  readonly handler: (event: unknown) => Promise<unknown>;
  /** How many times the instance's producer opened its connection. */
  readonly producerConnects: () => number;
  readonly topics: {
    readonly sessions: string;
    readonly enriched: string;
    readonly abandoned: string;
    readonly dlq: string;
  };
  readonly profiles: DynamoDbProfileStore;
}

/** A fresh Lambda instance with its own topics and tables, torn down after the test. */
const startInstance = async (environment: Readonly<Record<string, string>> = {}): Promise<Instance> => {
  // Output topics have one partition so that their offsets count every record.
  const topics = {
    sessions: await createTestTopic(1, 'user-sessions'),
    enriched: await createTestTopic(1, 'sessions-enriched'),
    abandoned: await createTestTopic(1, 'cart-abandoned'),
    dlq: await createTestTopic(1, 'dlq'),
  };
  const tables = await createTestTables();
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('DYNAMODB_ENDPOINT', inject('dynamodbEndpoint'));
  vi.stubEnv('KAFKA_BROKERS', testBrokers().join(','));
  vi.stubEnv('USER_PROFILES_TABLE', tables.userProfiles);
  vi.stubEnv('SESSIONS_ENRICHED_TOPIC', topics.enriched);
  vi.stubEnv('CART_ABANDONED_TOPIC', topics.abandoned);
  vi.stubEnv('DLQ_TOPIC', topics.dlq);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
  // A new module registry is a new instance: its own clients, config and producer.
  vi.resetModules();
  const { handler } = await import('../../../functions/enrich-sessions/handler.ts');
  const { kafkaProducer } = await import('../../../functions/commons/clients/kafka.ts');
  onTestFinished(() => kafkaProducer.disconnect());
  return {
    handler,
    producerConnects: () => kafkaProducer.connectCount,
    topics,
    profiles: new DynamoDbProfileStore(DynamoDBDocumentClient.from(dynamoClient()), tables.userProfiles),
  };
};

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The event source mapping's payload for records of one topic-partition. */
const eventOf = (topic: string, records: readonly SourceRecord[]): KafkaEvent =>
  buildKafkaEvent({ eventSource: 'SelfManagedKafka', bootstrapServers: testBrokers().join(',') }, [
    {
      key: `${topic}-0`,
      records: records.map((record, offset) =>
        toEventRecord({
          ...record,
          topic,
          partition: 0,
          offset,
        }),
      ),
    },
  ]);

/** How many records a topic holds. */
const countRecords = async (kafka: Kafka, topic: string): Promise<number> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await countTopicRecords(admin, topic);
  } finally {
    await admin.disconnect();
  }
};

/** Every record a topic holds, key and value as text (the project's one topic reader). */
const readAll = async (kafka: Kafka, topic: string) =>
  (await readTopic(kafka, topic)).map((record) => ({
    key: String(record.key),
    value: String(record.value),
    headers: record.headers,
  }));

describe('enrich-sessions on a real broker', () => {
  it('never produces anything for session tombstones', async () => {
    // Prepare
    const instance = await startInstance();
    const kafka = testKafka();
    const merged = aSessionKey({ windowEnd: aSessionKey().windowStart + 60_000 });
    const tombstonesOnly = eventOf(instance.topics.sessions, [
      aSessionTombstone(merged),
      aSessionTombstone(),
    ]);
    const mixed = eventOf(instance.topics.sessions, [
      aSessionTombstone(merged),
      aSessionRecord(aSessionKey(), anAbandonedCartSessionRow()),
    ]);

    // Act
    await instance.handler(tombstonesOnly);
    const afterTombstones = await countRecords(kafka, instance.topics.enriched);
    await instance.handler(mixed);

    // Assert
    expect(afterTombstones).toBe(0);
    expect(await countRecords(kafka, instance.topics.enriched)).toBe(1);
    expect(await countRecords(kafka, instance.topics.abandoned)).toBe(1);
    expect(await countRecords(kafka, instance.topics.dlq)).toBe(0);
  });

  it('produces duplicates on a retried batch only with the same event id and the same bytes', async () => {
    // Prepare
    const instance = await startInstance();
    const keys = ['user-a', 'user-b', 'user-c'].map((userId) => aSessionKey({ userId }));
    const batch = eventOf(instance.topics.sessions, [
      aSessionRecord(keys[0], aSessionRow()),
      aSessionRecord(keys[1], anAbandonedCartSessionRow()),
      aSessionRecord(keys[2], aSessionRow({ EVENTS: 1, PAGE_VIEWS: 1 })),
    ]);

    // Act: the first attempt produced, then (say) timed out; the event source mapping retries.
    await instance.handler(batch);
    await instance.handler(batch);

    // Assert
    const enriched = await readAll(testKafka(), instance.topics.enriched);
    expect(enriched).toHaveLength(6);
    const byId = new Map<string, typeof enriched>();
    for (const record of enriched) {
      const { eventId } = EnrichedSessionSchema.parse(JSON.parse(record.value));
      byId.set(eventId, [...(byId.get(eventId) ?? []), record]);
    }
    expect([...byId.keys()].sort()).toEqual(
      keys.map((key) => sessionEventId('session_enriched', key.userId, key.windowStart)).sort(),
    );
    for (const copies of byId.values()) {
      expect(copies).toHaveLength(2);
      expect(copies[1]?.value).toBe(copies[0]?.value);
    }
    const abandoned = await readAll(testKafka(), instance.topics.abandoned);
    expect(abandoned.map((record) => String(record.headers[LineageHeader.EventId]))).toEqual([
      sessionEventId('cart_abandoned', 'user-b', keys[1]?.windowStart ?? 0),
      sessionEventId('cart_abandoned', 'user-b', keys[1]?.windowStart ?? 0),
    ]);
  });

  it('opens one producer connection across 100 invocations of a warm instance', async () => {
    // Prepare
    const instance = await startInstance();
    const invocations = 100;

    // Act
    // Each invocation writes to all three topics: enriched, cart-abandoned and the DLQ.
    for (let invocation = 0; invocation < invocations; invocation += 1) {
      const key = aSessionKey({ userId: `user-${invocation}` });
      const poison = { ...aSessionRecord(key), value: Buffer.from('{}') };
      await instance.handler(
        eventOf(instance.topics.sessions, [aSessionRecord(key, anAbandonedCartSessionRow()), poison]),
      );
    }

    // Assert
    expect(instance.producerConnects()).toBe(1);
    const kafka = testKafka();
    // The end offsets a broker reports can trail an acknowledged write for a moment under load.
    for (const topic of [instance.topics.enriched, instance.topics.abandoned, instance.topics.dlq]) {
      await expect.poll(() => countRecords(kafka, topic), { timeout: 10_000 }).toBe(invocations);
    }
  });

  it('reconnects, and succeeds, when a thawed instance finds its connection idle for too long', async () => {
    // Prepare: an instance that presumes its connection dead after 50 ms without a send, as a
    // Lambda instance frozen for minutes must (a NAT gateway or the broker will have closed it).
    const instance = await startInstance({ KAFKA_MAX_IDLE_MS: '50' });
    const first = eventOf(instance.topics.sessions, [aSessionRecord(aSessionKey({ userId: 'user-1' }))]);
    const second = eventOf(instance.topics.sessions, [aSessionRecord(aSessionKey({ userId: 'user-2' }))]);
    await instance.handler(first);

    // Act
    await new Promise((resolve) => setTimeout(resolve, 200));
    await instance.handler(second);

    // Assert
    expect(instance.producerConnects()).toBe(2);
    // The end offsets a broker reports can trail an acknowledged write for a moment under load.
    await expect.poll(() => countRecords(testKafka(), instance.topics.enriched), { timeout: 5_000 }).toBe(2);
  });

  it('enriches a user without a profile as "unknown", and dead-letters an undecodable row with its reason', async () => {
    // Prepare
    const instance = await startInstance();
    await instance.profiles.putProfiles([
      {
        userId: 'user-known',
        segment: 'vip',
        country: 'FR',
        signupDate: '2023-06-01',
        marketingOptIn: false,
      },
    ]);
    const poison = { ...aSessionRecord(), value: Buffer.from('{"EVENTS":"many"}') };
    const batch = eventOf(instance.topics.sessions, [
      aSessionRecord(aSessionKey({ userId: 'user-known' })),
      aSessionRecord(aSessionKey({ userId: 'bot-0001' })),
      poison,
    ]);

    // Act
    await instance.handler(batch);

    // Assert
    const enriched = (await readAll(testKafka(), instance.topics.enriched)).map((record) =>
      EnrichedSessionSchema.parse(JSON.parse(record.value)),
    );
    expect(enriched.map(({ userId, segment, country }) => ({ userId, segment, country }))).toEqual([
      { userId: 'user-known', segment: 'vip', country: 'FR' },
      { userId: 'bot-0001', segment: 'unknown', country: null },
    ]);
    const [letter, ...others] = await readAll(testKafka(), instance.topics.dlq);
    expect(others).toEqual([]);
    expect(String(letter?.headers[DeadLetterHeader.Reason])).toBe('SESSION_VALUE_SCHEMA_INVALID');
    expect(String(letter?.headers[DeadLetterHeader.SourceOffset])).toBe('2');
    expect(letter?.value).toBe('{"EVENTS":"many"}');
  });

  it("bounds each output record by its topic's own max.message.bytes, read at init", async () => {
    // Prepare: a sessions-enriched topic that accepts 32 KiB, and a session whose enriched
    // record would take some 40 KB (its landing page).
    const enriched = await createTestTopic(1, 'sessions-enriched', {
      'max.message.bytes': String(32 * 1024),
    });
    const instance = await startInstance({ SESSIONS_ENRICHED_TOPIC: enriched });
    const large = aSessionRecord(
      aSessionKey({ userId: 'user-large' }),
      aSessionRow({ ENTRY_PAGE: `/${'p'.repeat(40_000)}` }),
    );
    const batch = eventOf(instance.topics.sessions, [
      aSessionRecord(aSessionKey({ userId: 'user-small' })),
      large,
    ]);

    // Act
    await instance.handler(batch);

    // Assert
    expect((await readAll(testKafka(), enriched)).map((record) => record.key)).toEqual(['user-small']);
    const [letter, ...others] = await readAll(testKafka(), instance.topics.dlq);
    expect(others).toEqual([]);
    expect(String(letter?.headers[DeadLetterHeader.Reason])).toBe('PROCESSING_FAILED');
    expect(String(letter?.headers[DeadLetterHeader.SourceOffset])).toBe('1');
    expect(String(letter?.headers[DeadLetterHeader.Detail])).toMatch(
      new RegExp(`its record for ${enriched} takes \\d+ bytes; the topic accepts \\d+`),
    );
  });

  it('does not start when an output topic does not exist, naming its setting', async () => {
    // Act
    const started = startInstance({ CART_ABANDONED_TOPIC: 'no-such-topic' });

    // Assert
    await expect(started).rejects.toThrow(/CART_ABANDONED_TOPIC names no-such-topic/);
  });
});
