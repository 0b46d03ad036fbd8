import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createTestTables, createTestTopic, dynamoClient, testKafka } from './helpers.ts';

describe('local stack', () => {
  it('round-trips keyed records through the real broker, per partition in order', async () => {
    // Prepare
    const topic = await createTestTopic(3);
    const kafka = testKafka();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `user-${i % 5}`, value: String(i) }));

    // Act
    await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `${topic}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Array<{ key: string; value: string }> = [];
    await new Promise<void>((done) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: String(message.key), value: String(message.value) });
          if (received.length === sent.length) done();
        },
      });
    });
    await consumer.disconnect();

    // Assert: everything arrived, and each key's values kept their order
    expect(received).toHaveLength(30);
    for (const key of new Set(sent.map((m) => m.key))) {
      const order = (list: typeof sent) => list.filter((m) => m.key === key).map((m) => m.value);
      expect(order(received)).toEqual(order(sent));
    }
  });

  it('creates the tables serverless.yml deploys, with no secondary index, from the same definitions', async () => {
    // Prepare
    const client = dynamoClient();

    // Act
    const names = await createTestTables(client);
    const analytics = await client.send(new DescribeTableCommand({ TableName: names.analytics }));
    const profiles = await client.send(new DescribeTableCommand({ TableName: names.userProfiles }));

    // Assert
    expect(analytics.Table?.TableStatus).toBe('ACTIVE');
    expect(analytics.Table?.GlobalSecondaryIndexes).toBeUndefined();
    expect(analytics.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(profiles.Table?.KeySchema).toEqual([{ AttributeName: 'userId', KeyType: 'HASH' }]);
  });
});
