import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticProfiles } from '../../../load-generator/synthetic-profiles.ts';
import { DynamoDbProfileStore } from '../../../services/profiles/index.ts';
import { createTestTables, dynamoClient } from '../helpers.ts';

const client = dynamoClient();
const documents = DynamoDBDocumentClient.from(client);
afterAll(() => client.destroy());

describe('DynamoDbProfileStore on the DynamoDB emulator', () => {
  it('writes and reads back profiles across many batches', async () => {
    // Prepare: more than one BatchWriteItem (25) and BatchGetItem (100) each.
    const { userProfiles } = await createTestTables(client);
    const store = new DynamoDbProfileStore(documents, userProfiles);
    const profiles = syntheticProfiles(5, 260);
    const progress: number[] = [];

    // Act
    await store.putProfiles(profiles, (written) => progress.push(written));
    const lookup = await store.getProfiles(profiles.map((profile) => profile.userId));

    // Assert
    expect(lookup.invalid).toEqual([]);
    expect(lookup.profiles.size).toBe(260);
    for (const profile of profiles) expect(lookup.profiles.get(profile.userId)).toEqual(profile);
    expect(progress.at(-1)).toBe(260);
  });

  it('leaves users without a profile out, and tolerates repeated ids', async () => {
    const { userProfiles } = await createTestTables(client);
    const store = new DynamoDbProfileStore(documents, userProfiles);
    const [first, second] = syntheticProfiles(5, 2);
    if (first === undefined || second === undefined) throw new Error('two profiles expected');
    await store.putProfiles([first, second, { ...first, segment: 'vip' }]);

    const lookup = await store.getProfiles([first.userId, first.userId, 'user-999999', 'bot-0001']);

    expect([...lookup.profiles.keys()]).toEqual([first.userId]);
    // The last of two writes of one user wins.
    expect(lookup.profiles.get(first.userId)?.segment).toBe('vip');
  });

  it('reports a stored item that is not a valid profile instead of returning it', async () => {
    const { userProfiles } = await createTestTables(client);
    const store = new DynamoDbProfileStore(documents, userProfiles);
    await documents.send(
      new PutCommand({
        TableName: userProfiles,
        Item: { userId: 'user-000001', segment: 'whale', country: 'DE' },
      }),
    );

    const lookup = await store.getProfiles(['user-000001']);

    expect(lookup.profiles.size).toBe(0);
    expect(lookup.invalid).toEqual([{ userId: 'user-000001', detail: expect.any(String) }]);
    expect(lookup.invalid[0]?.detail.length).toBeGreaterThan(0);
  });

  it('fails with a ProfileStoreError naming the table when it does not exist', async () => {
    const store = new DynamoDbProfileStore(documents, 'no-such-table');

    await expect(store.getProfiles(['user-000001'])).rejects.toMatchObject({
      name: 'ProfileStoreError',
      message: expect.stringContaining('no-such-table'),
    });
  });
});
