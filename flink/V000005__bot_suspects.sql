-- Bot suspects: ksql/V000005, a TUMBLE window with HAVING. ksqlDB EMIT CHANGES writes a row
-- from the record that takes a user over the threshold, then one per record; the window TVF
-- writes the window's final count once, if it passes HAVING. Counts only grow, so ksqlDB never
-- writes a tombstone here and both leave the same last row per window.
-- https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/sql/queries/window-agg/#group-window-aggregation
CREATE TABLE bot_suspects (
  window_key BYTES,
  `EVENTS` BIGINT,
  `DISTINCT_PAGES` BIGINT,
  `USER_AGENT` STRING,
  `IP` STRING,
  `WINDOW_START` BIGINT,
  `WINDOW_END` BIGINT,
  row_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'
) WITH (
  'connector' = 'kafka',
  'topic' = '${BOT_SUSPECTS_TOPIC}',
  ${KAFKA_CONNECTION},
  'sink.delivery-guarantee' = 'at-least-once',
  'key.format' = 'raw',
  'key.fields' = 'window_key',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY'
);

INSERT INTO bot_suspects
SELECT
  UNHEX(CONCAT(HEX(userId), LPAD(HEX(EXTRACT(EPOCH FROM window_start) * 1000), 16, '0'))),
  COUNT(*),
  COUNT(DISTINCT page.path),
  SUBSTRING(MAX(CONCAT(LPAD(CAST(kafka_offset AS STRING), 20, '0'), userAgent)), 21),
  SUBSTRING(MAX(CONCAT(LPAD(CAST(kafka_offset AS STRING), 20, '0'), ip)), 21),
  EXTRACT(EPOCH FROM window_start) * 1000,
  EXTRACT(EPOCH FROM window_end) * 1000,
  TO_TIMESTAMP_LTZ(MAX(eventTime), 3)
FROM TABLE(TUMBLE(TABLE clickstream, DESCRIPTOR(event_time), INTERVAL '10' SECOND))
WHERE userId IS NOT NULL
GROUP BY window_start, window_end, userId
HAVING COUNT(*) > ${BOT_THRESHOLD};
