import { describe, expect, it } from 'vitest';
import { seedProfiles } from '../../../load-generator/seed-profiles.ts';
import type { ProfileLookup, ProfileStore, UserProfile } from '../../../services/profiles/index.ts';

/** The profile-store port in memory: counts writes, nothing more. */
const memoryStore = () => {
  const items = new Map<string, UserProfile>();
  let writes = 0;
  const store: ProfileStore = {
    putProfiles: async (profiles, onProgress) => {
      for (const profile of profiles) items.set(profile.userId, profile);
      writes += profiles.length;
      onProgress?.(profiles.length, profiles.length);
    },
    getProfiles: async (userIds): Promise<ProfileLookup> => ({
      profiles: new Map(
        userIds.flatMap((id) => (items.has(id) ? [[id, items.get(id) as UserProfile] as const] : [])),
      ),
      invalid: [],
    }),
  };
  return { store, items, writes: () => writes };
};

describe('seedProfiles', () => {
  it('writes every user profile the first time', async () => {
    const { store, items } = memoryStore();

    const result = await seedProfiles(store, 1, 500);

    expect(result).toEqual({ users: 500, written: 500 });
    expect(items.size).toBe(500);
  });

  it('writes nothing when the same seed already wrote them', async () => {
    // Prepare
    const { store, writes } = memoryStore();
    await seedProfiles(store, 1, 500);

    // Act
    const again = await seedProfiles(store, 1, 500);

    // Assert
    expect(again.written).toBe(0);
    expect(writes()).toBe(500);
  });

  it('rewrites them for another seed or more users', async () => {
    const { store, items } = memoryStore();
    await seedProfiles(store, 1, 500);

    const otherSeed = await seedProfiles(store, 2, 500);
    const moreUsers = await seedProfiles(store, 2, 800);

    expect(otherSeed.written).toBe(500);
    expect(moreUsers.written).toBe(800);
    expect(items.size).toBe(800);
  });
});
