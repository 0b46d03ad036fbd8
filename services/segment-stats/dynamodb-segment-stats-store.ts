import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isSinkRefusal, SinkRefusedError } from '../limits/index.ts';
import { SegmentStatsStoreError } from './errors.ts';
import { PutOutcome, type SegmentStatsItem, type SegmentStatsStore } from './segment-stats.ts';

/**
 * Segment statistics in the analytics table. Each write is one conditional PutItem: it
 * holds when the item is new, comes from another source partition, or from an earlier
 * offset; otherwise DynamoDB answers ConditionalCheckFailedException and the item stays.
 */
export class DynamoDbSegmentStatsStore implements SegmentStatsStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async put(item: SegmentStatsItem): Promise<PutOutcome> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...item },
          ConditionExpression: 'attribute_not_exists(pk) OR #source <> :source OR #offset < :offset',
          ExpressionAttributeNames: { '#source': 'source', '#offset': 'sourceOffset' },
          ExpressionAttributeValues: { ':source': item.source, ':offset': item.sourceOffset },
        }),
      );
      return PutOutcome.Written;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return PutOutcome.Stale;
      const message = `cannot write segment stats ${item.sk} to ${this.#tableName}`;
      // A request DynamoDB refuses as sent is not retried: its record is dead-lettered.
      if (isSinkRefusal(error)) throw new SinkRefusedError(message, { cause: error });
      throw new SegmentStatsStoreError(message, { cause: error });
    }
  }
}
