import { describe, expect, it } from 'vitest';
import {
  humanUserId,
  syntheticProfile,
  syntheticProfiles,
} from '../../../load-generator/synthetic-profiles.ts';
import { SEGMENTS, UserProfileSchema } from '../../../services/profiles/index.ts';

describe('UserProfileSchema', () => {
  const profile = {
    userId: 'user-000001',
    segment: 'vip',
    country: 'DE',
    signupDate: '2024-03-01',
    marketingOptIn: true,
  };

  it('accepts a stored profile and drops attributes it does not know', () => {
    expect(UserProfileSchema.parse({ ...profile, addedLater: 1 })).toEqual(profile);
  });

  it.each([
    [{ segment: 'whale' }, 'segment'],
    [{ country: 'Germany' }, 'country'],
    [{ signupDate: '01/03/2024' }, 'signupDate'],
    [{ userId: '' }, 'userId'],
  ])('rejects %j', (change, path) => {
    const result = UserProfileSchema.safeParse({ ...profile, ...change });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([path]);
  });
});

describe('syntheticProfile', () => {
  it('gives the same profiles for the same seed, whatever the number of users', () => {
    const few = syntheticProfiles(7, 100);
    const many = syntheticProfiles(7, 10_000);

    expect(many.slice(0, 100)).toEqual(few);
    expect(syntheticProfile(7, 42)).toEqual(few[42]);
  });

  it('gives other profiles for another seed', () => {
    expect(syntheticProfiles(8, 100)).not.toEqual(syntheticProfiles(7, 100));
  });

  it('makes valid profiles for the simulated user ids, in every segment', () => {
    const profiles = syntheticProfiles(1, 5_000);

    for (const [index, profile] of profiles.entries()) {
      expect(UserProfileSchema.parse(profile)).toEqual(profile);
      expect(profile.userId).toBe(humanUserId(index));
    }
    expect(new Set(profiles.map((profile) => profile.segment))).toEqual(new Set(SEGMENTS));
    const vip = profiles.filter((profile) => profile.segment === 'vip').length / profiles.length;
    expect(vip).toBeGreaterThan(0.03);
    expect(vip).toBeLessThan(0.07);
  });
});
