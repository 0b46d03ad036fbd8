import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Kafka, logLevel } from 'kafkajs';
import { inject, onTestFinished } from 'vitest';
import { createTables, type TableNames } from '../../local/dynamodb/tables.ts';
import { localDynamoClient } from '../../local/stack/stack.ts';
import { createTopics } from '../../services/kafka/topics.ts';

/** The run's broker addresses. */
export const testBrokers = (): string[] => inject('kafkaBrokers');

/** A kafkajs client for the run's broker; quiet unless something is wrong. */
export const testKafka = (clientId = 'test'): Kafka =>
  new Kafka({ clientId, brokers: testBrokers(), logLevel: logLevel.ERROR });

const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Creates a topic with a unique name for the current test and deletes it when the test ends. */
export const createTestTopic = async (
  partitions = 3,
  prefix = 'test',
  configs?: Readonly<Record<string, string>>,
): Promise<string> => {
  const topic = uniqueName(prefix);
  const kafka = testKafka('test-admin');
  // Tests produce records with fixed, past event times (seeded runs): under the broker's
  // default time retention (7 days) they would be deleted at its next retention check.
  await createTopics(kafka, [{ topic, partitions, configs: { 'retention.ms': '-1', ...configs } }]);
  onTestFinished(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });
  return topic;
};

/** A DynamoDB client for the run's endpoint. */
export const dynamoClient = (): DynamoDBClient => localDynamoClient(inject('dynamodbEndpoint'));

/**
 * Creates the project's tables (from resources/dynamodb-tables.yml) under unique names for
 * the current test, and deletes them when it ends.
 */
export const createTestTables = async (client: DynamoDBClient = dynamoClient()): Promise<TableNames> => {
  const names: TableNames = { analytics: uniqueName('analytics'), userProfiles: uniqueName('profiles') };
  await createTables(client, names);
  onTestFinished(async () => {
    for (const name of Object.values(names)) {
      await client.send(new DeleteTableCommand({ TableName: name })).catch(() => {});
    }
  });
  return names;
};
