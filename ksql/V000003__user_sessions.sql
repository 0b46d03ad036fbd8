-- User sessions: activity separated by more than SESSION_GAP starts a new session.
-- EMIT FINAL: the consumer wants one row per closed session, not every intermediate state.
-- RETENTION: Kafka Streams writes a record's session before it emits the closed ones, and that
-- write drops the store segments older than stream time − retention (KStreamSessionWindowAggregate,
-- KeyValueSegments.getOrCreateSegmentIfLive). With the default retention (gap + grace), a record
-- that moves a partition's stream time further on — the first one after a quiet spell — drops
-- the sessions still open before they are ever written. SESSION_RETENTION keeps them through a
-- quiet spell that long, at the cost of holding that much session state.
-- The enrich-sessions Lambda reads these columns (services/enrichment/session-row.ts).
-- A purchase event is one order, so `purchases` counts orders and `revenue` sums their totals.
-- `cart_value` is what the session put in the cart less what it took out (price × quantity of
-- each add_to_cart / remove_from_cart): what an abandoned cart held.
CREATE TABLE user_sessions WITH (
  KAFKA_TOPIC = '${SESSIONS_TOPIC}',
  KEY_FORMAT = 'KAFKA',
  VALUE_FORMAT = 'JSON',
  PARTITIONS = ${OUTPUT_PARTITIONS}
) AS
  SELECT
    userId,
    COUNT(*) AS events,
    COUNT_DISTINCT(page->path) AS distinct_pages,
    SUM(CASE WHEN `TYPE` = 'page_view' THEN 1 ELSE 0 END) AS page_views,
    SUM(CASE WHEN `TYPE` = 'add_to_cart' THEN 1 ELSE 0 END) AS add_to_carts,
    SUM(CASE WHEN `TYPE` = 'remove_from_cart' THEN 1 ELSE 0 END) AS remove_from_carts,
    SUM(CASE WHEN `TYPE` = 'purchase' THEN 1 ELSE 0 END) AS purchases,
    LATEST_BY_OFFSET(userAgent) AS user_agent,
    EARLIEST_BY_OFFSET(page->path) AS entry_page,
    LATEST_BY_OFFSET(page->path) AS exit_page,
    SUM(CASE WHEN `TYPE` = 'purchase' THEN `ORDER`->revenue ELSE CAST(0 AS DOUBLE) END) AS revenue,
    SUM(CASE
      WHEN `TYPE` = 'add_to_cart' THEN product->price * product->quantity
      WHEN `TYPE` = 'remove_from_cart' THEN CAST(0 AS DOUBLE) - product->price * product->quantity
      ELSE CAST(0 AS DOUBLE) END) AS cart_value,
    WINDOWSTART AS session_start,
    WINDOWEND AS session_end
  FROM clickstream
  WINDOW SESSION (${SESSION_GAP}, RETENTION ${SESSION_RETENTION}, GRACE PERIOD ${SESSION_GRACE})
  GROUP BY userId
  EMIT FINAL;
