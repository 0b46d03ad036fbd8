import type { InvalidProfile, ProfileLookup, UserProfile } from '../profiles/index.ts';
import type { ProfileReader } from './enrich-sessions.ts';

/** Options of a {@link CachingProfileReader}. */
export interface CachingProfileReaderOptions {
  /** How long an answer is reused, profile or "no profile" alike. */
  readonly ttlMs: number;
  /** Entries kept at most; the oldest go first. */
  readonly maxEntries: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly profile: UserProfile | undefined;
  readonly invalid: InvalidProfile | undefined;
  readonly expiresAt: number;
}

/**
 * A {@link ProfileReader} that remembers answers for a while, per Lambda instance: a warm
 * instance sees the same users session after session, and profiles change rarely. Users
 * without a profile are remembered too (bots and anonymous visitors are most of them), so a
 * profile created meanwhile shows up within `ttlMs`. Only the users it does not remember
 * reach the wrapped reader, in one batch read.
 */
export class CachingProfileReader implements ProfileReader {
  readonly #inner: ProfileReader;
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(inner: ProfileReader, options: CachingProfileReaderOptions) {
    this.#inner = inner;
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  async getProfiles(userIds: readonly string[]): Promise<ProfileLookup> {
    const now = this.#now();
    const profiles = new Map<string, UserProfile>();
    const invalid: InvalidProfile[] = [];
    const answer = (userId: string, entry: Entry) => {
      if (entry.profile !== undefined) profiles.set(userId, entry.profile);
      if (entry.invalid !== undefined) invalid.push(entry.invalid);
    };
    const unknown: string[] = [];
    for (const userId of new Set(userIds)) {
      const entry = this.#entries.get(userId);
      if (entry !== undefined && entry.expiresAt > now) answer(userId, entry);
      else unknown.push(userId);
    }
    if (unknown.length === 0) return { profiles, invalid };

    const lookup = await this.#inner.getProfiles(unknown);
    const invalidById = new Map(lookup.invalid.map((entry) => [entry.userId, entry]));
    const expiresAt = now + this.#ttlMs;
    for (const userId of unknown) {
      const entry: Entry = {
        profile: lookup.profiles.get(userId),
        invalid: invalidById.get(userId),
        expiresAt,
      };
      answer(userId, entry);
      // Re-inserting moves the user to the end of the Map's order: the oldest stay first.
      this.#entries.delete(userId);
      this.#entries.set(userId, entry);
    }
    for (const userId of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(userId);
    }
    return { profiles, invalid };
  }
}
