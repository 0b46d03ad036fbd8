-- Segment stats: ksql/V000006 over the enriched sessions the enrich-sessions Lambda writes
-- (services/enrichment/enriched-session.ts); event time = sessionEnd, as ksqlDB's TIMESTAMP.
CREATE TABLE sessions_enriched (
  userId STRING,
  eventId STRING,
  sessionStart BIGINT,
  sessionEnd BIGINT,
  segment STRING,
  deviceClass STRING,
  converted BOOLEAN,
  cartAbandoned BOOLEAN,
  revenue DOUBLE,
  abandonedCartValue DOUBLE,
  session_end_time AS TO_TIMESTAMP_LTZ(COALESCE(sessionEnd, 0), 3),
  WATERMARK FOR session_end_time AS session_end_time - ${LATE_GRACE} - INTERVAL '0.001' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${SESSIONS_ENRICHED_TOPIC}',
  ${KAFKA_CONNECTION},
  'properties.group.id' = '${GROUP_ID}-segments',
  'scan.startup.mode' = '${STARTUP_MODE}',
  'scan.watermark.emit.strategy' = 'on-event',
  'key.format' = 'raw',
  'key.fields' = 'userId',
  'value.format' = 'json',
  'value.json.ignore-parse-errors' = 'true',
  'value.fields-include' = 'EXCEPT_KEY'
);

-- ksqlDB's KEY_FORMAT JSON key of two columns is the JSON object {"SEGMENT":…,"DEVICECLASS":…}
-- (in column order, which JSON_OBJECT does not keep: it sorts), then the window start.
CREATE TABLE segment_stats (
  window_key BYTES,
  `CUSTOMER_SEGMENT` STRING,
  `DEVICE_CLASS` STRING,
  `SESSIONS` BIGINT,
  `CONVERSIONS` INT,
  `ABANDONED_CARTS` INT,
  `REVENUE` DOUBLE,
  `ABANDONED_CART_VALUE` DOUBLE,
  `CONVERSION_RATE` DOUBLE,
  `WINDOW_START` BIGINT,
  `WINDOW_END` BIGINT,
  row_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'
) WITH (
  'connector' = 'kafka',
  'topic' = '${SEGMENT_STATS_TOPIC}',
  ${KAFKA_CONNECTION},
  'sink.delivery-guarantee' = 'at-least-once',
  'key.format' = 'raw',
  'key.fields' = 'window_key',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY'
);

INSERT INTO segment_stats
SELECT
  UNHEX(CONCAT(
    HEX(CONCAT('{"SEGMENT":', JSON_STRING(segment), ',"DEVICECLASS":', JSON_STRING(deviceClass), '}')),
    LPAD(HEX(EXTRACT(EPOCH FROM window_start) * 1000), 16, '0'))),
  segment,
  deviceClass,
  COUNT(*),
  SUM(CASE WHEN converted THEN 1 ELSE 0 END),
  SUM(CASE WHEN cartAbandoned THEN 1 ELSE 0 END),
  SUM(revenue),
  SUM(COALESCE(abandonedCartValue, CAST(0 AS DOUBLE))),
  CAST(SUM(CASE WHEN converted THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*),
  EXTRACT(EPOCH FROM window_start) * 1000,
  EXTRACT(EPOCH FROM window_end) * 1000,
  TO_TIMESTAMP_LTZ(MAX(sessionEnd), 3)
FROM TABLE(TUMBLE(TABLE sessions_enriched, DESCRIPTOR(session_end_time), INTERVAL '5' MINUTE))
WHERE segment IS NOT NULL AND deviceClass IS NOT NULL
GROUP BY window_start, window_end, segment, deviceClass;
