import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AggregateStore, DynamoDbAggregateStore } from '../../../services/aggregation/index.ts';
import { InMemoryAggregateStore } from '../aggregation/in-memory-aggregate-store.ts';

/**
 * Where the fuzz harness aggregates: the in-memory store (which enforces the limits of
 * services/limits as DynamoDB does) or the real store on a DynamoDB endpoint (dynalite), each
 * able to say what it holds and how many events its funnels count.
 */
export interface FuzzBackend {
  readonly store: AggregateStore;
  /** Everything stored, as a comparable string (a redelivery must not change it). */
  snapshot(): Promise<string>;
  /** Σ `events` over the funnel items: the records counted. */
  countedEvents(): Promise<number>;
}

const exact = (_key: string, value: unknown): unknown =>
  typeof value === 'bigint' ? value.toString() : value;

/** A fresh in-memory store. */
export const inMemoryBackend = (): FuzzBackend => {
  const store = new InMemoryAggregateStore();
  return {
    store,
    snapshot: async () =>
      JSON.stringify(
        [...store.items.entries()]
          .map(([key, item]) => [
            key,
            item.counters,
            item.sketch === undefined ? null : Buffer.from(item.sketch.toBytes()).toString('hex'),
            item.bucket === undefined ? null : [item.bucket.watermark, [...item.bucket.pages]],
          ])
          .sort(),
        exact,
      ),
    countedEvents: async () => {
      let events = 0;
      for (const item of store.items.values())
        if (item.attributes.entity === 'Funnel') events += item.counters.events ?? 0;
      return events;
    },
  };
};

const scanAll = async (client: DynamoDBClient, table: string): Promise<Record<string, AttributeValue>[]> => {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
};

/**
 * The real store on `table` of a DynamoDB endpoint. Read back with the low-level client, so that
 * numbers of 38 digits stay exact strings.
 */
export const dynamoBackend = (
  client: DynamoDBClient,
  documentClient: DynamoDBDocumentClient,
  table: string,
): FuzzBackend => ({
  store: new DynamoDbAggregateStore(documentClient, table),
  snapshot: async () =>
    JSON.stringify(
      (await scanAll(client, table))
        .map((item) =>
          JSON.stringify(
            Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)),
            exact,
          ),
        )
        .sort(),
    ),
  countedEvents: async () =>
    (await scanAll(client, table))
      .filter((item) => item.entity?.S === 'Funnel')
      .reduce((sum, item) => sum + Number(item.events?.N ?? '0'), 0),
});
