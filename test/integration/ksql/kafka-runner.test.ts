import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { KsqlEngine } from '../../../local/ksql/engine.ts';
import { KafkaKsqlRunner } from '../../../local/ksql/kafka/kafka-runner.ts';
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
});
