import { z } from 'zod';

/**
 * Customer segments, from the marketing team's point of view. The enrichment step reports
 * conversion per segment, and the load generator makes segments behave differently (a
 * `vip` converts more often than a `new` user) so that report has something to show.
 */
export const SEGMENTS = ['new', 'casual', 'loyal', 'vip', 'bargain_hunter'] as const;
export const Segment = z.enum(SEGMENTS);
export type Segment = z.infer<typeof Segment>;

/**
 * A user profile as stored in the user-profiles table (key `userId`), the data the
 * enrichment step joins onto each session. Unknown attributes are tolerated and dropped,
 * so a newer writer never breaks an older reader.
 */
export const UserProfileSchema = z.object({
  userId: z.string().min(1).max(64),
  segment: Segment,
  /** ISO 3166-1 alpha-2 country code. */
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as "DE"'),
  /** Calendar date of sign-up, `YYYY-MM-DD`. */
  signupDate: z.iso.date(),
  marketingOptIn: z.boolean(),
});
export type UserProfile = z.infer<typeof UserProfileSchema>;
