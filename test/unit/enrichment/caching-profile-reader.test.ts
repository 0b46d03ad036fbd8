import { describe, expect, it } from 'vitest';
import { CachingProfileReader } from '../../../services/enrichment/index.ts';
import { aProfile, InMemoryProfileReader } from './fakes.ts';

const setup = (options: { ttlMs?: number; maxEntries?: number } = {}) => {
  const clock = { now: 1_000_000 };
  const inner = new InMemoryProfileReader(
    [aProfile({ userId: 'u1' }), aProfile({ userId: 'u2' })],
    ['broken'],
  );
  const reader = new CachingProfileReader(inner, {
    ttlMs: options.ttlMs ?? 60_000,
    maxEntries: options.maxEntries ?? 100,
    now: () => clock.now,
  });
  return { clock, inner, reader };
};

describe('CachingProfileReader', () => {
  it('reads only the users it does not remember, and answers the same', async () => {
    const { inner, reader } = setup();
    const first = await reader.getProfiles(['u1', 'nobody', 'broken']);

    const second = await reader.getProfiles(['u1', 'u2', 'nobody', 'broken', 'u2']);

    expect(inner.requests).toEqual([['u1', 'nobody', 'broken'], ['u2']]);
    expect([...first.profiles.keys()]).toEqual(['u1']);
    expect([...second.profiles.keys()].sort()).toEqual(['u1', 'u2']);
    expect(second.invalid).toEqual(first.invalid);
    expect(second.invalid.map((entry) => entry.userId)).toEqual(['broken']);
  });

  it('asks again once an answer is older than the TTL', async () => {
    const { clock, inner, reader } = setup({ ttlMs: 60_000 });
    await reader.getProfiles(['nobody']);

    clock.now += 60_000;
    await reader.getProfiles(['nobody']);

    expect(inner.requests).toEqual([['nobody'], ['nobody']]);
  });

  it('forgets the oldest users beyond its capacity', async () => {
    const { inner, reader } = setup({ maxEntries: 2 });
    await reader.getProfiles(['u1']);
    await reader.getProfiles(['u2', 'nobody']);

    await reader.getProfiles(['u1', 'u2', 'nobody']);

    expect(inner.requests).toEqual([['u1'], ['u2', 'nobody'], ['u1']]);
  });
});
