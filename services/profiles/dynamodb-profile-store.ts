import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLimits, utf8Bytes, wellFormed } from '../limits/index.ts';
import { ProfileStoreError } from './errors.ts';
import { type UserProfile, UserProfileSchema } from './profile.ts';
import type { InvalidProfile, ProfileLookup, ProfileStore, WriteProgress } from './profile-store.ts';

// BatchWriteItem takes at most 25 put/delete requests, BatchGetItem at most 100 keys
// (DynamoDB API Reference, BatchWriteItem / BatchGetItem). Both may return part of the
// batch as UnprocessedItems / UnprocessedKeys when throttled; AWS asks callers to retry
// those with exponential backoff rather than fail.
const WRITE_BATCH = 25;
const READ_BATCH = 100;

export interface DynamoDbProfileStoreOptions {
  /** Attempts per batch before giving up on its unprocessed items (default 8). */
  maxAttempts?: number;
  /** First backoff delay; doubled per attempt, with full jitter (default 50 ms). */
  baseDelayMs?: number;
  /** Batch requests in flight at once (default 4). */
  concurrency?: number;
}

type Item = Record<string, unknown>;
type Key = { userId: string };

const canBeKey = (userId: string): boolean =>
  userId.length > 0 && utf8Bytes(wellFormed(userId)) <= DynamoDbLimits.partitionKeyBytes;

/**
 * The user-profile store on a DynamoDB table keyed by `userId`. The document client is
 * built once by the caller and passed in (one client per process, reused across Lambda
 * invocations).
 */
export class DynamoDbProfileStore implements ProfileStore {
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #concurrency: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
    options: DynamoDbProfileStoreOptions = {},
  ) {
    this.#maxAttempts = options.maxAttempts ?? 8;
    this.#baseDelayMs = options.baseDelayMs ?? 50;
    this.#concurrency = options.concurrency ?? 4;
  }

  async putProfiles(profiles: readonly UserProfile[], onProgress?: WriteProgress): Promise<void> {
    // Two puts of one key in a single BatchWriteItem are rejected: the last one wins here.
    const unique = [...new Map(profiles.map((profile) => [profile.userId, profile])).values()];
    const batches = chunk(unique, WRITE_BATCH);
    let written = 0;
    await forEachConcurrently(batches, this.#concurrency, async (batch) => {
      await this.#writeBatch(batch);
      written += batch.length;
      onProgress?.(written, unique.length);
    });
  }

  async getProfiles(userIds: readonly string[]): Promise<ProfileLookup> {
    const profiles = new Map<string, UserProfile>();
    const invalid: InvalidProfile[] = [];
    // A user id that cannot be a partition key (empty, or over 2,048 bytes of UTF-8:
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-partition-sort-keys)
    // has no profile: asking for it would fail the whole BatchGetItem with a ValidationException.
    const keys = [...new Set(userIds)].filter((userId) => canBeKey(userId));
    const batches = chunk(keys, READ_BATCH);
    await forEachConcurrently(batches, this.#concurrency, async (batch) => {
      for (const item of await this.#readBatch(batch)) {
        const parsed = UserProfileSchema.safeParse(item);
        if (parsed.success) profiles.set(parsed.data.userId, parsed.data);
        else {
          const userId = typeof item.userId === 'string' ? item.userId : '(no userId)';
          invalid.push({ userId, detail: parsed.error.issues.map((issue) => issue.message).join('; ') });
        }
      }
    });
    return { profiles, invalid };
  }

  async #writeBatch(profiles: readonly UserProfile[]): Promise<void> {
    let requests = profiles.map((profile) => ({ PutRequest: { Item: { ...profile } as Item } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > this.#maxAttempts) {
        throw new ProfileStoreError(
          `${requests.length} profile writes to ${this.tableName} were still unprocessed after ${this.#maxAttempts} attempts`,
        );
      }
      if (attempt > 1) await this.#backoff(attempt);
      const output = await this.#call('write', () =>
        this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } })),
      );
      requests = (output.UnprocessedItems?.[this.tableName] ?? []).flatMap((request) =>
        request.PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: request.PutRequest.Item } }],
      );
    }
  }

  async #readBatch(userIds: readonly string[]): Promise<Item[]> {
    const items: Item[] = [];
    let keys: Key[] = userIds.map((userId) => ({ userId }));
    for (let attempt = 1; keys.length > 0; attempt++) {
      if (attempt > this.#maxAttempts) {
        throw new ProfileStoreError(
          `${keys.length} profile reads from ${this.tableName} were still unprocessed after ${this.#maxAttempts} attempts`,
        );
      }
      if (attempt > 1) await this.#backoff(attempt);
      const output = await this.#call('read', () =>
        this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } })),
      );
      items.push(...(output.Responses?.[this.tableName] ?? []));
      keys = (output.UnprocessedKeys?.[this.tableName]?.Keys ?? []).flatMap((key) =>
        typeof key.userId === 'string' ? [{ userId: key.userId }] : [],
      );
    }
    return items;
  }

  async #call<T>(operation: 'read' | 'write', send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new ProfileStoreError(
        `cannot ${operation} profiles in table ${this.tableName}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  #backoff(attempt: number): Promise<void> {
    const ceiling = this.#baseDelayMs * 2 ** (attempt - 2);
    return sleep(Math.random() * ceiling);
  }
}

const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};

const forEachConcurrently = async <T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
};
