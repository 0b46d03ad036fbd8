import type { ProfileStore, WriteProgress } from '../services/profiles/index.ts';
import { syntheticProfiles } from './synthetic-profiles.ts';

/** What {@link seedProfiles} did. */
export interface SeedProfilesResult {
  /** Profiles the run uses (users 0 … users-1). */
  users: number;
  /** Profiles written now (0 when they were already in place). */
  written: number;
}

const SAMPLE = 100;

/**
 * Makes the store hold the profiles of users `0 … users-1` for `seed`. Profiles depend on
 * the seed and the user only, so a spread sample tells whether an earlier run already
 * wrote them; then nothing is rewritten (tens of thousands of items take a while on an
 * emulator). Otherwise all are written: puts are idempotent, a re-run is harmless.
 */
export const seedProfiles = async (
  store: ProfileStore,
  seed: number,
  users: number,
  onProgress?: WriteProgress,
): Promise<SeedProfilesResult> => {
  const profiles = syntheticProfiles(seed, users);
  const step = Math.max(1, Math.floor(users / SAMPLE));
  const sample = profiles.filter((_, index) => index % step === 0 || index === users - 1);
  const { profiles: stored } = await store.getProfiles(sample.map((profile) => profile.userId));
  const inPlace = sample.every((profile) => {
    const found = stored.get(profile.userId);
    return found !== undefined && JSON.stringify(found) === JSON.stringify(profile);
  });
  if (inPlace) return { users, written: 0 };
  await store.putProfiles(profiles, onProgress);
  return { users, written: profiles.length };
};
