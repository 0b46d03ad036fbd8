import { z } from 'zod';

const Count = z.number().int().nonnegative();

/**
 * The value of a row on the user-sessions topic: the JSON ksqlDB writes for the SESSION-
 * windowed aggregation over the clickstream (ksql/), one column per field, upper-cased as
 * ksqlDB names unquoted columns (ksql/V000003__user_sessions.sql). The user id and the
 * window are in the key ({@link SessionKey}); columns this service does not read (such as
 * SESSION_START / SESSION_END, copies of the key's window) are tolerated and dropped.
 *
 * This is the contract with the sessions statement; docs/enrichment.md lists it.
 */
export const SessionRowSchema = z.object({
  /** `COUNT(*)`: every event of the session; at least one. */
  EVENTS: Count.min(1),
  /** `COUNT_DISTINCT(page->path)`: how many different pages the session saw. */
  DISTINCT_PAGES: Count,
  /** Page views (`SUM(CASE WHEN type = 'page_view' THEN 1 ELSE 0 END)`). */
  PAGE_VIEWS: Count,
  ADD_TO_CARTS: Count,
  /** Optional: without it, any add-to-cart counts as a cart left at the end. */
  REMOVE_FROM_CARTS: Count.optional(),
  /** Purchase events: orders (one purchase event is one order, with all its lines). */
  PURCHASES: Count,
  /** Purchased value (`ORDER->revenue` summed over the orders), in the shop's currency. */
  REVENUE: z.number().nonnegative(),
  /**
   * What the session put in its cart less what it took out (price × quantity of each
   * add_to_cart and remove_from_cart), in the shop's currency; may be negative when the
   * session removed what an earlier one added. Optional: older statements lack it (then 0).
   */
  CART_VALUE: z.number().optional(),
  /** `LATEST_BY_OFFSET(userAgent)`. */
  USER_AGENT: z.string(),
  /** `EARLIEST_BY_OFFSET(page->path)`, the landing page. */
  ENTRY_PAGE: z.string().nullish(),
  /** `LATEST_BY_OFFSET(page->path)`, the exit page. */
  EXIT_PAGE: z.string().nullish(),
});
export type SessionRow = z.infer<typeof SessionRowSchema>;
