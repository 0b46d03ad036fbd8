import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { KsqlEngine } from '../../../emulators/ksql/engine.ts';
import { KafkaKsqlRunner } from '../../../emulators/ksql/kafka/kafka-runner.ts';
import { EMIT_INTERVAL_PROPERTY } from '../../../emulators/ksql/window-store.ts';
import { pollUntil } from '../../../tooling/poll.ts';
import { createTestTopic, testKafka } from '../helpers.ts';

const statements = (source: string, sink: string): string => `
  CREATE STREAM clicks (userId STRING KEY, page STRING) WITH (KAFKA_TOPIC='${source}', VALUE_FORMAT='JSON');
  CREATE TABLE views WITH (KAFKA_TOPIC='${sink}', PARTITIONS=1) AS
    SELECT page, COUNT(*) AS views FROM clicks
    WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY page EMIT CHANGES;`;

async function produce(kafka: Kafka, topic: string, count: number, from: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: count }, (_, i) => ({
      key: `u${(from + i) % 3}`,
      value: JSON.stringify({ page: '/home' }),
      timestamp: String(1_000 + from + i),
    })),
  });
  await producer.disconnect();
}

/** Reads the sink until `views` reaches `count` and returns every VIEWS value seen. */
async function readViews(kafka: Kafka, topic: string, count: number): Promise<number[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: number[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        const value = JSON.parse(message.value?.toString('utf8') ?? 'null') as { VIEWS: number } | null;
        if (value !== null) seen.push(value.VIEWS);
        if (value?.VIEWS === count) resolve();
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

function runner(kafka: Kafka, source: string, sink: string, appId: string): KafkaKsqlRunner {
  const engine = new KsqlEngine();
  engine.executeScript(statements(source, sink));
  return new KafkaKsqlRunner({ kafka, engine, applicationId: appId, checkpointIntervalMs: 0 });
}

describe('embedded ksql over Kafka', () => {
  it('keeps counting across a restart without counting any input twice', async () => {
    // prepare
    const kafka = testKafka('ksql-runner-test');
    const source = await createTestTopic(1, 'ksql-clicks');
    const sink = `ksql-views-${randomUUID().slice(0, 8)}`;
    const appId = `ksql-app-${randomUUID().slice(0, 8)}`;
    onTestFinished(async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [sink, `${appId}-changelog`] }).catch(() => undefined);
      await admin.disconnect();
    });
    await produce(kafka, source, 5, 0);
    const first = runner(kafka, source, sink, appId);
    await first.start();
    await readViews(kafka, sink, 5);
    await first.stop();

    // act
    await produce(kafka, source, 4, 5);
    const second = runner(kafka, source, sink, appId);
    await second.start();
    const views = await readViews(kafka, sink, 9);
    await second.stop();

    // assert
    expect(Math.max(...views)).toBe(9);
    expect(views.filter((v) => v > 5)).toEqual([6, 7, 8, 9]);
  });

  it('checkpoints and commits the last batch once the input goes quiet', async () => {
    // prepare: the first batch is checkpointed at once; a second one inside the interval is not
    const kafka = testKafka('ksql-runner-test');
    const source = await createTestTopic(1, 'ksql-clicks');
    const sink = `ksql-views-${randomUUID().slice(0, 8)}`;
    const appId = `ksql-app-${randomUUID().slice(0, 8)}`;
    const engine = new KsqlEngine();
    engine.executeScript(statements(source, sink));
    const quiet = new KafkaKsqlRunner({ kafka, engine, applicationId: appId, checkpointIntervalMs: 1500 });
    const admin = kafka.admin();
    await admin.connect();
    onTestFinished(async () => {
      await quiet.stop();
      await admin.deleteTopics({ topics: [sink, `${appId}-changelog`] }).catch(() => undefined);
      await admin.disconnect();
    });
    await produce(kafka, source, 3, 0);
    await quiet.start();
    await readViews(kafka, sink, 3);

    // act
    await produce(kafka, source, 4, 3);
    await readViews(kafka, sink, 7);

    // assert: with no further input, the group's committed offset reaches the end of the topic
    const committed = await pollUntil(
      async () => {
        const [topic] = await admin.fetchOffsets({ groupId: appId, topics: [source] });
        const offset = topic?.partitions.find((p) => p.partition === 0)?.offset;
        return offset === '7' ? offset : undefined;
      },
      { timeoutMs: 15_000, what: `group ${appId} to commit offset 7 of ${source}` },
    );
    expect(committed).toBe('7');
  });
});

/** Waits until every partition of a new topic has a leader (producing earlier is refused). */
async function leadersElected(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      if (topics[0]?.partitions.every((p) => p.leader >= 0)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no leaders for ${topic}`);
  } finally {
    await admin.disconnect();
  }
}

describe('embedded ksql over a partitioned topic', () => {
  it('closes every session when one partition is consumed after another is already ahead in time', async () => {
    // prepare: partition 0 reaches 60 s before partition 1's earlier sessions are read
    const kafka = testKafka('ksql-runner-partitions-test');
    const source = await createTestTopic(2, 'ksql-clicks');
    const sink = `ksql-sessions-${randomUUID().slice(0, 8)}`;
    const appId = `ksql-app-${randomUUID().slice(0, 8)}`;
    onTestFinished(async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [sink, `${appId}-changelog`] }).catch(() => undefined);
      await admin.disconnect();
    });
    await leadersElected(kafka, source);
    const producer = kafka.producer();
    await producer.connect();
    const click = (user: string, partition: number, timestamp: number) => ({
      key: user,
      partition,
      value: JSON.stringify({ page: '/home' }),
      timestamp: String(timestamp),
    });
    await producer.send({
      topic: source,
      messages: [click('u1', 0, 0), click('u1', 0, 5_000), click('u1', 0, 60_000)],
    });
    await producer.send({
      topic: source,
      messages: [click('u2', 1, 1_000), click('u2', 1, 4_000), click('u2', 1, 61_000)],
    });
    await producer.disconnect();
    // EMIT FINAL checks for closed sessions on every record (emit interval 0, as ksqlDB's tests set it).
    const engine = new KsqlEngine({ properties: { [EMIT_INTERVAL_PROPERTY]: '0' } });
    engine.executeScript(`
      CREATE STREAM clicks (userId STRING KEY, page STRING) WITH (KAFKA_TOPIC='${source}', VALUE_FORMAT='JSON');
      CREATE TABLE sessions WITH (KAFKA_TOPIC='${sink}', PARTITIONS=1) AS
        SELECT userId, COUNT(*) AS events FROM clicks
        WINDOW SESSION (10 SECONDS, GRACE PERIOD 2 SECONDS) GROUP BY userId EMIT FINAL;`);
    const runner = new KafkaKsqlRunner({ kafka, engine, applicationId: appId, checkpointIntervalMs: 0 });

    // act
    await runner.start();
    const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: sink, fromBeginning: true });
    const sessions: { user: string; events: number }[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const value = JSON.parse(message.value?.toString('utf8') ?? 'null') as { EVENTS: number };
          // A session window key: the user id, then 8-byte end and 8-byte start.
          const user = message.key?.subarray(0, message.key.length - 16).toString('utf8') ?? '';
          sessions.push({ user, events: value.EVENTS });
          if (sessions.length === 2) resolve();
        },
      });
    });
    await consumer.disconnect();
    await runner.stop();

    // assert
    expect(sessions.sort((a, b) => a.user.localeCompare(b.user))).toEqual([
      { user: 'u1', events: 2 },
      { user: 'u2', events: 2 },
    ]);
    expect(engine.skipped.get('late-record')).toBeUndefined();
  });
});
