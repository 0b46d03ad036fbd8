import type { Segment, UserProfile } from '../services/profiles/index.ts';
import { hashSeed, Random, WeightedPicker } from './random.ts';

/** The simulated users' ids: `user-000000` … ; bots (no profile) are `bot-0000` … */
export const humanUserId = (index: number): string => `user-${String(index).padStart(6, '0')}`;
export const botUserId = (index: number): string => `bot-${String(index).padStart(4, '0')}`;

// Sign-up dates are drawn back from a fixed day, not from today, so the same seed gives
// the same profiles whenever it runs.
const SIGNUP_ANCHOR_MS = Date.UTC(2025, 0, 1);
const DAY_MS = 86_400_000;

const segments = new WeightedPicker<Segment>([
  ['new', 25],
  ['casual', 40],
  ['loyal', 20],
  ['vip', 5],
  ['bargain_hunter', 10],
]);

// Roughly the country mix of a European-American web shop.
const countries = new WeightedPicker<string>([
  ['US', 30],
  ['GB', 10],
  ['DE', 10],
  ['FR', 8],
  ['ES', 5],
  ['IT', 5],
  ['NL', 4],
  ['PL', 4],
  ['SE', 3],
  ['CA', 4],
  ['BR', 5],
  ['IN', 6],
  ['JP', 4],
  ['AU', 2],
]);

/**
 * The profile of simulated user `index` for a seed. Each user has its own random stream,
 * so a profile does not depend on how many users a run has: `--users 100` and
 * `--users 10000` agree on the first hundred.
 */
export const syntheticProfile = (seed: number, index: number): UserProfile => {
  const random = new Random(hashSeed(seed, 'profile', index));
  const segment = segments.pick(random);
  const daysAgo = segment === 'new' ? random.int(30) : 30 + random.int(5 * 365);
  return {
    userId: humanUserId(index),
    segment,
    country: countries.pick(random),
    signupDate: new Date(SIGNUP_ANCHOR_MS - daysAgo * DAY_MS).toISOString().slice(0, 10),
    marketingOptIn: random.chance(0.45),
  };
};

/** The profiles of users `0 … count-1`. */
export const syntheticProfiles = (seed: number, count: number): UserProfile[] =>
  Array.from({ length: count }, (_, index) => syntheticProfile(seed, index));
