import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  AggregateStoreError,
  aggregateBatch,
  DynamoDbAggregateStore,
} from '../../../services/aggregation/index.ts';
import { eventStream } from '../../support/aggregation/event-stream.ts';
import { testDependencies } from '../../support/aggregation/fakes.ts';
import { referenceTotals } from '../../support/aggregation/reference-totals.ts';
import { createTestTables, dynamoClient } from '../helpers.ts';
import { scannedTotals } from './dynamodb-totals.ts';
import { throttleNextCalls } from './throttling.ts';

const freshTable = async () => {
  const client = dynamoClient();
  onTestFinished(() => client.destroy());
  const { analytics } = await createTestTables(client);
  const documents = DynamoDBDocumentClient.from(client);
  return { client, documents, table: analytics };
};

describe('a throttled DynamoDB (dynalite behind a throttling adapter)', () => {
  it('retries throttled writes with backoff and counts every event once', async () => {
    // Prepare: two throttled calls, fewer than the SDK's three attempts of one request
    const { client, documents, table } = await freshTable();
    const { events, partitions } = eventStream(300, 3);
    const throttling = throttleNextCalls(client, 2);

    // Act
    const summary = await aggregateBatch(
      partitions.flat(),
      testDependencies(new DynamoDbAggregateStore(documents, table)),
    );

    // Assert
    expect(throttling.throttled()).toBe(2);
    expect(summary.events).toBe(events.length);
    expect(await scannedTotals(documents, table)).toEqual(referenceTotals(events));
  });

  it('fails the batch when throttling outlasts the retries, and the redelivery counts nothing twice', async () => {
    // Prepare: a first delivery that writes some items, then is throttled for good
    const { client, documents, table } = await freshTable();
    const { events, partitions } = eventStream(300, 3);
    const batch = partitions.flat();
    const store = new DynamoDbAggregateStore(documents, table);
    const half = partitions.flatMap((records) => records.slice(0, 50));
    await aggregateBatch(half, testDependencies(store));
    throttleNextCalls(client, 1_000);

    // Act
    const failed = aggregateBatch(batch, testDependencies(store));

    // Assert: a retriable error (the mapping retries the batch), then an exact redelivery
    await expect(failed).rejects.toBeInstanceOf(AggregateStoreError);
    await expect(failed).rejects.toMatchObject({ retriable: true });
    const healthy = dynamoClient();
    onTestFinished(() => healthy.destroy());
    const healthyDocuments = DynamoDBDocumentClient.from(healthy);
    await aggregateBatch(batch, testDependencies(new DynamoDbAggregateStore(healthyDocuments, table)));
    expect(await scannedTotals(healthyDocuments, table)).toEqual(referenceTotals(events));
  });
});
