-- The clickstream: one row per event on the events topic (services/clickstream/event.ts).
-- Kafka key = userId; event time = eventTime (epoch ms), so windows follow when things happened.
-- `TYPE`, `ORDER` and `QUERY` are written quoted in upper case: identical to unquoted, but never keywords.
-- A purchase is one order: `ORDER` carries its lines and their totals (quantity, revenue), so that
-- statements sum plain columns; `product` is set on add_to_cart / remove_from_cart only.
CREATE STREAM clickstream (
  userId STRING KEY,
  eventId STRING,
  schemaVersion INT,
  `TYPE` STRING,
  sessionId STRING,
  eventTime BIGINT,
  page STRUCT<path STRING, title STRING, referrer STRING>,
  product STRUCT<id STRING, category STRING, price DOUBLE, quantity INT>,
  `ORDER` STRUCT<lines ARRAY<STRUCT<productId STRING, quantity INT, unitPrice DOUBLE>>, quantity INT, revenue DOUBLE>,
  `QUERY` STRING,
  userAgent STRING,
  ip STRING,
  utm STRUCT<source STRING, medium STRING, campaign STRING>
) WITH (
  KAFKA_TOPIC = '${EVENTS_TOPIC}',
  KEY_FORMAT = 'KAFKA',
  VALUE_FORMAT = 'JSON',
  TIMESTAMP = 'eventTime'
);
