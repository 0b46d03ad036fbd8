-- Enriched sessions (services/enrichment/enriched-session.ts), produced by the enrich-sessions
-- Lambda from the closed sessions of V000003: the stateless step's output back into state.
-- Kafka key = userId; event time = sessionEnd (the record timestamp the Lambda also sets).
-- PARTITIONS: ksqlDB creates the topic if the Lambda has not written to it yet.
CREATE STREAM sessions_enriched (
  userId STRING KEY,
  eventId STRING,
  sessionStart BIGINT,
  sessionEnd BIGINT,
  segment STRING,
  deviceClass STRING,
  converted BOOLEAN,
  cartAbandoned BOOLEAN,
  revenue DOUBLE,
  abandonedCartValue DOUBLE
) WITH (
  KAFKA_TOPIC = 'clickstream-sessions-enriched',
  KEY_FORMAT = 'KAFKA',
  VALUE_FORMAT = 'JSON',
  TIMESTAMP = 'sessionEnd',
  PARTITIONS = ${OUTPUT_PARTITIONS}
);

-- Sessions, conversions and revenue per customer segment and device class, per 5 minutes
-- of session ends. EMIT CHANGES: every row carries the window's running totals, so the
-- writer (functions/segment-stats) keeps the latest. Two grouping columns need a key format
-- that holds several columns (JSON); AS_VALUE copies them into the value for the writer.
CREATE TABLE segment_stats WITH (
  KAFKA_TOPIC = 'clickstream-segment-stats',
  KEY_FORMAT = 'JSON',
  VALUE_FORMAT = 'JSON',
  PARTITIONS = ${OUTPUT_PARTITIONS}
) AS
  SELECT
    segment,
    deviceClass,
    AS_VALUE(segment) AS customer_segment,
    AS_VALUE(deviceClass) AS device_class,
    COUNT(*) AS sessions,
    SUM(CASE WHEN converted THEN 1 ELSE 0 END) AS conversions,
    SUM(CASE WHEN cartAbandoned THEN 1 ELSE 0 END) AS abandoned_carts,
    SUM(revenue) AS revenue,
    SUM(abandonedCartValue) AS abandoned_cart_value,
    CAST(SUM(CASE WHEN converted THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS conversion_rate,
    WINDOWSTART AS window_start,
    WINDOWEND AS window_end
  FROM sessions_enriched
  WINDOW TUMBLING (SIZE 5 MINUTES, GRACE PERIOD ${LATE_GRACE})
  GROUP BY segment, deviceClass
  EMIT CHANGES;
