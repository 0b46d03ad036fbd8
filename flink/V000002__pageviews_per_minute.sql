-- Page views per page per minute: ksql/V000002 as a TUMBLE window table-valued function.
-- https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/sql/queries/window-tvf/#tumble
--
-- Output semantics differ, consumers do not:
--   ksqlDB EMIT CHANGES writes a new version of the window's row for every input record;
--   a window TVF aggregation writes one row per window, when the watermark passes its end
--   (https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/sql/queries/window-agg/).
-- That row is ksqlDB's last version of the window. The result is insert-only, so the plain
-- `kafka` sink (append) carries it; `upsert-kafka` would need a primary key and write the same.
--
-- The key is the bytes ksqlDB writes for a windowed KAFKA-format key (Kafka Streams'
-- TimeWindowedSerializer: the inner key, then the window start as an 8-byte big-endian long),
-- built here as hex and written with the `raw` key format, so readers of either engine's topic
-- decode the same key. The record timestamp is the newest event in the window, as ksqlDB sets it.
CREATE TABLE pageviews_per_minute (
  window_key BYTES,
  `VIEWS` BIGINT,
  `UNIQUE_USERS` BIGINT,
  `WINDOW_START` BIGINT,
  `WINDOW_END` BIGINT,
  row_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'
) WITH (
  'connector' = 'kafka',
  'topic' = '${PAGEVIEWS_TOPIC}',
  ${KAFKA_CONNECTION},
  'sink.delivery-guarantee' = 'at-least-once',
  'key.format' = 'raw',
  'key.fields' = 'window_key',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY'
);

INSERT INTO pageviews_per_minute
SELECT
  UNHEX(CONCAT(HEX(page.path), LPAD(HEX(EXTRACT(EPOCH FROM window_start) * 1000), 16, '0'))),
  COUNT(*),
  COUNT(DISTINCT userId),
  EXTRACT(EPOCH FROM window_start) * 1000,
  EXTRACT(EPOCH FROM window_end) * 1000,
  TO_TIMESTAMP_LTZ(MAX(eventTime), 3)
FROM TABLE(TUMBLE(TABLE clickstream, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
WHERE `type` = 'page_view' AND page.path IS NOT NULL
GROUP BY window_start, window_end, page.path;
