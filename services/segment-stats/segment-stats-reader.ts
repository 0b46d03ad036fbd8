import type { Minute } from '../aggregation/index.ts';

/**
 * Sessions closed in one window, enriched and grouped by the user's segment and device: what
 * the enrichment loop writes back into state (issue 5, part 2).
 */
export interface SegmentStats {
  /** Start of the (5-minute) window the sessions ended in. */
  readonly windowStart: Minute;
  readonly segment: string;
  readonly device: string;
  readonly sessions: number;
  /** Sessions that ended with a purchase. */
  readonly converted: number;
  readonly revenue: number;
  /** Sessions that ended with items in the cart and no purchase. */
  readonly abandonedCarts: number;
  readonly abandonedCartValue: number;
}

/**
 * The port the dashboard reads segment statistics through. The enrichment service is being
 * written in parallel and owns the real format; {@link DynamoDbSegmentStatsReader} reads the
 * format documented in docs/dashboard.md until it offers a reader of its own.
 */
export interface SegmentStatsReader {
  /** The rows of every window starting from `from` to `to` (both included). */
  segmentStats(from: Minute, to: Minute): Promise<SegmentStats[]>;
}
