export { DynamoDbProfileStore, type DynamoDbProfileStoreOptions } from './dynamodb-profile-store.ts';
export { ProfileError, ProfileStoreError } from './errors.ts';
export { SEGMENTS, Segment, type UserProfile, UserProfileSchema } from './profile.ts';
export type { InvalidProfile, ProfileLookup, ProfileStore, WriteProgress } from './profile-store.ts';
