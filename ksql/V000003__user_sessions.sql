-- User sessions: activity separated by more than SESSION_GAP starts a new session.
-- EMIT FINAL: the consumer wants one row per closed session, not every intermediate state.
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
    EARLIEST_BY_OFFSET(page->path) AS entry_page,
    LATEST_BY_OFFSET(page->path) AS exit_page,
    SUM(CASE WHEN `TYPE` = 'purchase' THEN product->price * product->quantity ELSE CAST(0 AS DOUBLE) END) AS revenue,
    WINDOWSTART AS session_start,
    WINDOWEND AS session_end
  FROM clickstream
  WINDOW SESSION (${SESSION_GAP}, GRACE PERIOD ${SESSION_GRACE})
  GROUP BY userId
  EMIT FINAL;
