-- User sessions: ksql/V000003 as a SESSION window table-valued function, one row per closed
-- session, read by the enrich-sessions Lambda (services/enrichment/session-row.ts).
-- https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/sql/queries/window-tvf/#session
--
-- Rules made to coincide with ksqlDB's (Kafka Streams' SessionWindows):
--   gap: Kafka Streams merges a record into a session when it is at most `gap` after its last
--   event (inclusive); Flink merges the windows [t, t + gap) that overlap (exclusive end).
--   A Flink gap of SESSION_GAP + 1 ms merges exactly the same records (SESSION_GAP_PLUS_1MS).
--   bounds: ksqlDB's SESSION_START / SESSION_END (and the key's window) are the first and last
--   event times; Flink's window_end is the last event + gap, so the bounds are MIN/MAX(eventTime).
--   lateness: the watermark of clickstream_for_sessions (V000001) trails by SESSION_GRACE + 1 ms.
--   emission: ksqlDB EMIT FINAL writes a session once, after gap + grace; the window TVF writes
--   it once, when the watermark passes its end. Both: one row per closed session, no updates.
--   EARLIEST/LATEST_BY_OFFSET: MIN/MAX by offset (V000001); "by offset" is
--   the order records are processed in, which within a user (one partition) is offset order.
--
-- Key: Kafka Streams' session-windowed key (SessionKeySchema.toBinary: inner key, window end,
-- window start as 8-byte big-endian longs), the bytes services/enrichment/session-key.ts decodes.
CREATE TABLE user_sessions (
  session_key BYTES,
  `EVENTS` BIGINT,
  `DISTINCT_PAGES` BIGINT,
  `PAGE_VIEWS` INT,
  `ADD_TO_CARTS` INT,
  `REMOVE_FROM_CARTS` INT,
  `PURCHASES` INT,
  `USER_AGENT` STRING,
  `ENTRY_PAGE` STRING,
  `EXIT_PAGE` STRING,
  `REVENUE` DOUBLE,
  `CART_VALUE` DOUBLE,
  `SESSION_START` BIGINT,
  `SESSION_END` BIGINT,
  row_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'
) WITH (
  'connector' = 'kafka',
  'topic' = '${SESSIONS_TOPIC}',
  ${KAFKA_CONNECTION},
  'sink.delivery-guarantee' = 'at-least-once',
  'key.format' = 'raw',
  'key.fields' = 'session_key',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY'
);

INSERT INTO user_sessions
SELECT
  UNHEX(CONCAT(HEX(userId), LPAD(HEX(MAX(eventTime)), 16, '0'), LPAD(HEX(MIN(eventTime)), 16, '0'))),
  COUNT(*),
  COUNT(DISTINCT page.path),
  SUM(CASE WHEN `type` = 'page_view' THEN 1 ELSE 0 END),
  SUM(CASE WHEN `type` = 'add_to_cart' THEN 1 ELSE 0 END),
  SUM(CASE WHEN `type` = 'remove_from_cart' THEN 1 ELSE 0 END),
  SUM(CASE WHEN `type` = 'purchase' THEN 1 ELSE 0 END),
  SUBSTRING(MAX(CONCAT(LPAD(CAST(kafka_offset AS STRING), 20, '0'), userAgent)), 21),
  SUBSTRING(MIN(CONCAT(LPAD(CAST(kafka_offset AS STRING), 20, '0'), page.path)), 21),
  SUBSTRING(MAX(CONCAT(LPAD(CAST(kafka_offset AS STRING), 20, '0'), page.path)), 21),
  SUM(CASE WHEN `type` = 'purchase' THEN `order`.revenue ELSE CAST(0 AS DOUBLE) END),
  -- cart_value as ksql/V000003 sums it: price × quantity added less removed.
  SUM(CASE
    WHEN `type` = 'add_to_cart' THEN product.price * product.quantity
    WHEN `type` = 'remove_from_cart' THEN CAST(0 AS DOUBLE) - product.price * product.quantity
    ELSE CAST(0 AS DOUBLE) END),
  MIN(eventTime),
  MAX(eventTime),
  TO_TIMESTAMP_LTZ(MAX(eventTime), 3)
FROM TABLE(SESSION(TABLE clickstream_for_sessions PARTITION BY userId, DESCRIPTOR(event_time), ${SESSION_GAP_PLUS_1MS}))
WHERE userId IS NOT NULL
GROUP BY window_start, window_end, userId;
