import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { SourceId } from '../kafka/record.ts';
import { type AggregateStore, ApplyOutcome } from './aggregate-store.ts';
import type { SessionSetDraft } from './batch-aggregate.ts';
import { Attribute, Entity, type ItemKey, watermarkAttribute } from './data-model.ts';
import { AggregateStoreError } from './errors.ts';
import type { CounterUpdate, Watermarks } from './watermark.ts';

const WatermarkValue = z.number().int().nonnegative();

/** Builds an update expression's placeholders: `#n0`/`:v0`… with their maps. */
class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  #next = 0;

  name(attribute: string): string {
    const placeholder = `#n${this.#next++}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.#next++}`;
    this.values[placeholder] = value;
    return placeholder;
  }
}

/**
 * The aggregate store on DynamoDB: one UpdateItem per counter item, made atomic and
 * idempotent by a condition on the item's per-partition watermarks (DynamoDB evaluates
 * the condition and applies the update as one operation on the item:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html).
 * No transactions, so it works on dynalite too.
 */
export class DynamoDbAggregateStore implements AggregateStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async applyCounters(update: CounterUpdate): Promise<ApplyOutcome> {
    const expression = new ExpressionBuilder();
    const zero = expression.value(0);
    const sets: string[] = [];
    const counterNames = new Map<string, string>();
    for (const [counter, delta] of Object.entries(update.counters)) {
      const name = expression.name(counter);
      counterNames.set(counter, name);
      sets.push(`${name} = if_not_exists(${name}, ${zero}) + ${expression.value(delta)}`);
    }
    if (update.rankedBy !== undefined) {
      // Every operand of an update expression reads the item as it was before the update,
      // so this is the ranked counter's new total.
      const ranked = counterNames.get(update.rankedBy) ?? expression.name(update.rankedBy);
      const delta = expression.value(update.counters[update.rankedBy] ?? 0);
      sets.push(`${expression.name(Attribute.Gsi1Sk)} = if_not_exists(${ranked}, ${zero}) + ${delta}`);
    }
    for (const [attribute, value] of Object.entries(update.attributes)) {
      sets.push(`${expression.name(attribute)} = ${expression.value(value)}`);
    }
    const conditions: string[] = [];
    for (const { source, from, through } of update.sources) {
      const watermark = expression.name(watermarkAttribute(source));
      sets.push(`${watermark} = ${expression.value(through)}`);
      conditions.push(`(attribute_not_exists(${watermark}) OR ${watermark} < ${expression.value(from)})`);
    }
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: update.key.pk, sk: update.key.sk },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
        }),
      );
      return ApplyOutcome.Applied;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return ApplyOutcome.Stale;
      throw new AggregateStoreError(`update of ${update.key.pk} ${update.key.sk} failed`, { cause: error });
    }
  }

  async readWatermarks(key: ItemKey, sources: readonly SourceId[]): Promise<Watermarks> {
    const expression = new ExpressionBuilder();
    const projection = sources.map((source) => expression.name(watermarkAttribute(source)));
    let item: Record<string, unknown> | undefined;
    try {
      const result = await this.#client.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: { pk: key.pk, sk: key.sk },
          ConsistentRead: true,
          ProjectionExpression: projection.join(', '),
          ExpressionAttributeNames: expression.names,
        }),
      );
      item = result.Item;
    } catch (error) {
      throw new AggregateStoreError(`read of ${key.pk} ${key.sk} failed`, { cause: error });
    }
    const watermarks = new Map<SourceId, number>();
    for (const source of sources) {
      const value = item?.[watermarkAttribute(source)];
      if (value !== undefined) watermarks.set(source, WatermarkValue.parse(value));
    }
    return watermarks;
  }

  async addSessions(draft: SessionSetDraft): Promise<void> {
    const expression = new ExpressionBuilder();
    const sessions = expression.name(Attribute.Sessions);
    const update =
      `ADD ${sessions} ${expression.value(new Set(draft.sessions))} ` +
      `SET ${expression.name(Attribute.Entity)} = ${expression.value(Entity.SessionSet)}, ` +
      `${expression.name(Attribute.Minute)} = ${expression.value(draft.minute)}, ` +
      `${expression.name(Attribute.ExpiresAt)} = ${expression.value(draft.expiresAt)}`;
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: draft.key.pk, sk: draft.key.sk },
          UpdateExpression: update,
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
        }),
      );
    } catch (error) {
      throw new AggregateStoreError(`update of ${draft.key.pk} ${draft.key.sk} failed`, { cause: error });
    }
  }
}
