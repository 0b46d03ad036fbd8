import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { SourceId } from '../kafka/record.ts';
import { isSinkRefusal, SinkRefusedError } from '../limits/index.ts';
import type {
  AggregateStore,
  CounterItemState,
  CounterWrite,
  MergeResult,
  PageBucketResult,
  StoreUsage,
} from './aggregate-store.ts';
import { ApplyOutcome, addUsage, NO_USAGE } from './aggregate-store.ts';
import type { PageBucketDraft, SessionSketchDraft } from './batch-aggregate.ts';
import { Attribute, Entity, type ItemKey, watermarkAttribute } from './data-model.ts';
import { AggregateStoreError, WatermarkContentionError } from './errors.ts';
import {
  decodeBucketPages,
  EMPTY_BUCKET,
  encodeBucketPages,
  planBucketMerge,
  type StoredBucket,
} from './page-bucket.ts';
import { SessionSketch } from './session-sketch.ts';
import type { CounterUpdate } from './watermark.ts';

const WatermarkValue = z.number().int().nonnegative();
const VersionValue = z.number().int().nonnegative();

/** Builds an expression's placeholders: `#n0`/`:v0`… with their maps. */
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
 * The error of a failed request: a refusal (the request is invalid for DynamoDB, no retry
 * changes it) is not retriable, so the batch isolates its records; anything else is.
 */
const storeFailure = (message: string, options: { cause: unknown }): Error =>
  isSinkRefusal(options.cause)
    ? new SinkRefusedError(message, options)
    : new AggregateStoreError(message, options);

/** Units of a response's `ConsumedCapacity` (asked for with `ReturnConsumedCapacity: TOTAL`). */
const unitsOf = (capacity: ConsumedCapacity | undefined): number => capacity?.CapacityUnits ?? 0;

const writeUsage = (capacity: ConsumedCapacity | undefined): StoreUsage => ({
  ...NO_USAGE,
  writes: 1,
  writeUnits: unitsOf(capacity),
});

const readUsage = (capacity: ConsumedCapacity | undefined): StoreUsage => ({
  ...NO_USAGE,
  reads: 1,
  readUnits: unitsOf(capacity),
});

/**
 * A conditional write that failed its condition still consumes write units; the SDK's
 * exception carries no ConsumedCapacity, so it is counted as the one unit the smallest
 * item costs (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html#write-operation-consumption).
 */
const REFUSED_WRITE: StoreUsage = { ...NO_USAGE, writes: 1, writeUnits: 1 };

/** Options of the store. */
export interface DynamoDbAggregateStoreOptions {
  /** Read-modify-write attempts per merge before giving up on a busy item (default 5). */
  readonly maxMergeAttempts?: number;
}

/** One stored read-modify-write item as a merge sees it. */
interface Versioned<T> {
  readonly value: T;
  /** 0 when the item does not exist yet. */
  readonly version: number;
}

/**
 * The aggregate store on DynamoDB.
 *
 * Counter items: one UpdateItem each, made atomic and idempotent by a condition on the
 * item's per-partition watermarks (DynamoDB evaluates the condition and applies the update
 * as one operation on the item:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html).
 * Session sketches: read, merge (a maximum, so idempotent), write conditioned on the version
 * read (optimistic locking). Page buckets: read, add what is above the watermark, write
 * conditioned on the watermark read. No transactions, so it works on dynalite too.
 *
 * Every request asks for `ReturnConsumedCapacity: TOTAL` (it changes nothing else), so the
 * usage each method returns is what DynamoDB bills.
 */
export class DynamoDbAggregateStore implements AggregateStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #maxMergeAttempts: number;

  constructor(
    client: DynamoDBDocumentClient,
    tableName: string,
    options: DynamoDbAggregateStoreOptions = {},
  ) {
    this.#client = client;
    this.#tableName = tableName;
    this.#maxMergeAttempts = options.maxMergeAttempts ?? 5;
  }

  async applyCounters(update: CounterUpdate): Promise<CounterWrite> {
    const expression = new ExpressionBuilder();
    const zero = expression.value(0);
    const sets: string[] = [];
    for (const [counter, delta] of Object.entries(update.counters)) {
      const name = expression.name(counter);
      sets.push(`${name} = if_not_exists(${name}, ${zero}) + ${expression.value(delta)}`);
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
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: update.key.pk, sk: update.key.sk },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          // No ReturnValues: a counter may hold up to 38 digits, which the document client
          // refuses to read back into a JavaScript number.
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return { outcome: ApplyOutcome.Applied, usage: writeUsage(result.ConsumedCapacity) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { outcome: ApplyOutcome.Stale, usage: REFUSED_WRITE };
      }
      throw storeFailure(`update of ${update.key.pk} ${update.key.sk} failed`, { cause: error });
    }
  }

  async readCounterItem(key: ItemKey, sources: readonly SourceId[]): Promise<CounterItemState> {
    const expression = new ExpressionBuilder();
    const projection = sources.map((source) => expression.name(watermarkAttribute(source)));
    const { item, usage } = await this.#get(key, projection.join(', '), expression.names);
    const watermarks = new Map<SourceId, number>();
    for (const source of sources) {
      const value = item?.[watermarkAttribute(source)];
      if (value !== undefined) watermarks.set(source, WatermarkValue.parse(value));
    }
    return { watermarks, usage };
  }

  mergeSessionSketch(draft: SessionSketchDraft): Promise<MergeResult> {
    return this.#merge<SessionSketch>(draft.key, Attribute.Sketch, {
      decode: (stored) => SessionSketch.fromBytes(z.instanceof(Uint8Array).parse(stored)),
      empty: () => SessionSketch.empty(),
      merge: (current) => (current.covers(draft.sketch) ? undefined : current.union(draft.sketch)),
      encode: (merged) => merged.toBytes(),
      attributes: {
        [Attribute.Entity]: Entity.SessionSketch,
        [Attribute.Minute]: draft.minute,
        [Attribute.ExpiresAt]: draft.expiresAt,
      },
    });
  }

  async mergePageBucket(draft: PageBucketDraft): Promise<PageBucketResult> {
    let usage = NO_USAGE;
    for (let attempt = 0; attempt < this.#maxMergeAttempts; attempt += 1) {
      if (attempt > 0) await sleep(Math.random() * 20 * 2 ** attempt);
      const read = await this.#readBucket(draft.key);
      usage = addUsage(usage, read.usage);
      const plan = planBucketMerge(read.bucket, draft.contributions);
      const result = { applied: plan.applied, overflow: plan.overflow, conflicts: attempt };
      if (plan.next === undefined) return { ...result, changed: false, usage };
      const written = await this.#putBucket(draft, plan.next, read.bucket.watermark);
      usage = addUsage(usage, written.usage);
      if (written.applied) return { ...result, changed: true, usage };
    }
    throw new WatermarkContentionError(
      `${draft.key.pk} ${draft.key.sk}: changed by another writer ${this.#maxMergeAttempts} times in a row`,
    );
  }

  async #readBucket(key: ItemKey): Promise<{ bucket: StoredBucket; usage: StoreUsage }> {
    const expression = new ExpressionBuilder();
    const projection = `${expression.name(Attribute.Pages)}, ${expression.name(Attribute.Watermark)}`;
    const { item, usage } = await this.#get(key, projection, expression.names);
    if (item === undefined) return { bucket: EMPTY_BUCKET, usage };
    try {
      return {
        bucket: {
          pages: decodeBucketPages(z.string().parse(item[Attribute.Pages])),
          watermark: WatermarkValue.parse(item[Attribute.Watermark]),
        },
        usage,
      };
    } catch (error) {
      throw storeFailure(`${key.pk} ${key.sk} holds an unreadable page bucket`, { cause: error });
    }
  }

  async #putBucket(
    draft: PageBucketDraft,
    next: StoredBucket,
    readWatermark: number,
  ): Promise<{ applied: boolean; usage: StoreUsage }> {
    const expression = new ExpressionBuilder();
    const condition =
      readWatermark < 0
        ? `attribute_not_exists(${expression.name('pk')})`
        : `${expression.name(Attribute.Watermark)} = ${expression.value(readWatermark)}`;
    try {
      const result = await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            pk: draft.key.pk,
            sk: draft.key.sk,
            [Attribute.Entity]: Entity.PageBucket,
            [Attribute.Minute]: draft.minute,
            [Attribute.ExpiresAt]: draft.expiresAt,
            [Attribute.Pages]: encodeBucketPages(next.pages),
            [Attribute.Watermark]: next.watermark,
          },
          ConditionExpression: condition,
          ExpressionAttributeNames: expression.names,
          ...(readWatermark < 0 ? {} : { ExpressionAttributeValues: expression.values }),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return { applied: true, usage: writeUsage(result.ConsumedCapacity) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { applied: false, usage: REFUSED_WRITE };
      throw storeFailure(`write of ${draft.key.pk} ${draft.key.sk} failed`, { cause: error });
    }
  }

  /**
   * Read, merge, write only if the version is still the one read; on a conflict (another
   * writer in between) start again after a short jittered pause. `merge` returns undefined
   * when the stored value already holds what is offered: nothing is written.
   */
  async #merge<T>(
    key: ItemKey,
    attribute: string,
    codec: {
      decode: (stored: unknown) => T;
      empty: () => T;
      merge: (current: T) => T | undefined;
      encode: (value: T) => unknown;
      attributes: Readonly<Record<string, string | number>>;
    },
  ): Promise<MergeResult> {
    let usage = NO_USAGE;
    for (let attempt = 0; attempt < this.#maxMergeAttempts; attempt += 1) {
      if (attempt > 0) await sleep(Math.random() * 20 * 2 ** attempt);
      const current = await this.#readVersioned(key, attribute, codec);
      usage = addUsage(usage, current.usage);
      const merged = codec.merge(current.stored.value);
      if (merged === undefined) return { changed: false, conflicts: attempt, usage };
      const written = await this.#putVersioned(
        key,
        attribute,
        codec.encode(merged),
        current.stored.version,
        codec.attributes,
      );
      usage = addUsage(usage, written.usage);
      if (written.applied) return { changed: true, conflicts: attempt, usage };
    }
    throw new WatermarkContentionError(
      `${key.pk} ${key.sk}: changed by another writer ${this.#maxMergeAttempts} times in a row`,
    );
  }

  async #readVersioned<T>(
    key: ItemKey,
    attribute: string,
    codec: { decode: (stored: unknown) => T; empty: () => T },
  ): Promise<{ stored: Versioned<T>; usage: StoreUsage }> {
    const expression = new ExpressionBuilder();
    const projection = `${expression.name(attribute)}, ${expression.name(Attribute.Version)}`;
    const { item, usage } = await this.#get(key, projection, expression.names);
    if (item === undefined) return { stored: { value: codec.empty(), version: 0 }, usage };
    try {
      return {
        stored: {
          value: codec.decode(item[attribute]),
          version: VersionValue.parse(item[Attribute.Version]),
        },
        usage,
      };
    } catch (error) {
      // Only this code writes these items: a value it cannot read is a bug or a manual edit,
      // and overwriting it would lose counts. Fail (retriable) and let the alarm say so.
      throw storeFailure(`${key.pk} ${key.sk} holds an unreadable ${attribute}`, { cause: error });
    }
  }

  async #putVersioned(
    key: ItemKey,
    attribute: string,
    value: unknown,
    version: number,
    attributes: Readonly<Record<string, string | number>>,
  ): Promise<{ applied: boolean; usage: StoreUsage }> {
    const expression = new ExpressionBuilder();
    const condition =
      version === 0
        ? `attribute_not_exists(${expression.name('pk')})`
        : `${expression.name(Attribute.Version)} = ${expression.value(version)}`;
    try {
      const result = await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            pk: key.pk,
            sk: key.sk,
            ...attributes,
            [attribute]: value,
            [Attribute.Version]: version + 1,
          },
          ConditionExpression: condition,
          ExpressionAttributeNames: expression.names,
          ...(version === 0 ? {} : { ExpressionAttributeValues: expression.values }),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return { applied: true, usage: writeUsage(result.ConsumedCapacity) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { applied: false, usage: REFUSED_WRITE };
      throw storeFailure(`write of ${key.pk} ${key.sk} failed`, { cause: error });
    }
  }

  async #get(
    key: ItemKey,
    projection: string,
    names: Record<string, string>,
  ): Promise<{ item: Record<string, unknown> | undefined; usage: StoreUsage }> {
    try {
      const result = await this.#client.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: { pk: key.pk, sk: key.sk },
          ConsistentRead: true,
          ProjectionExpression: projection,
          ExpressionAttributeNames: names,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return { item: result.Item, usage: readUsage(result.ConsumedCapacity) };
    } catch (error) {
      throw storeFailure(`read of ${key.pk} ${key.sk} failed`, { cause: error });
    }
  }
}
