import type { UserProfile } from './profile.ts';

/** A stored item that is not a valid profile (written by hand or by an incompatible writer). */
export interface InvalidProfile {
  userId: string;
  detail: string;
}

/** What a batch read found. Users absent from both fields have no profile. */
export interface ProfileLookup {
  profiles: ReadonlyMap<string, UserProfile>;
  invalid: readonly InvalidProfile[];
}

/** Progress of a long write, for a progress bar. */
export type WriteProgress = (written: number, total: number) => void;

/**
 * The port the services use to read and write user profiles; the DynamoDB adapter
 * ({@link DynamoDbProfileStore}) implements it, tests may use an in-memory one.
 */
export interface ProfileStore {
  /** Writes (creates or replaces) the profiles; resolves once every one is stored. */
  putProfiles(profiles: readonly UserProfile[], onProgress?: WriteProgress): Promise<void>;
  /** Reads the profiles of these users in as few requests as possible. */
  getProfiles(userIds: readonly string[]): Promise<ProfileLookup>;
}
