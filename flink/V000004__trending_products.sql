-- Trending products: ksql/V000004 as a HOP window table-valued function (ksqlDB's HOPPING:
-- windows of TRENDING_SIZE starting every TRENDING_ADVANCE, aligned to the epoch in both).
-- https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/sql/queries/window-tvf/#hop
-- One row per window at the watermark (ksqlDB EMIT CHANGES: a version per record; see V000002).
-- A record late for some of its windows still counts in those not yet closed, in both engines.
CREATE TABLE trending_products (
  window_key BYTES,
  `CATEGORY` STRING,
  `INTERACTIONS` BIGINT,
  `UNITS_ADDED` INT,
  `WINDOW_START` BIGINT,
  `WINDOW_END` BIGINT,
  row_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'
) WITH (
  'connector' = 'kafka',
  'topic' = '${TRENDING_TOPIC}',
  ${KAFKA_CONNECTION},
  'sink.delivery-guarantee' = 'at-least-once',
  'key.format' = 'raw',
  'key.fields' = 'window_key',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY'
);

INSERT INTO trending_products
SELECT
  UNHEX(CONCAT(HEX(product.id), LPAD(HEX(EXTRACT(EPOCH FROM window_start) * 1000), 16, '0'))),
  SUBSTRING(MAX(CONCAT(LPAD(CAST(kafka_offset AS STRING), 20, '0'), product.category)), 21),
  COUNT(*),
  SUM(CASE WHEN `type` = 'add_to_cart' THEN product.quantity ELSE 0 END),
  EXTRACT(EPOCH FROM window_start) * 1000,
  EXTRACT(EPOCH FROM window_end) * 1000,
  TO_TIMESTAMP_LTZ(MAX(eventTime), 3)
FROM TABLE(HOP(TABLE clickstream, DESCRIPTOR(event_time), ${TRENDING_ADVANCE}, ${TRENDING_SIZE}))
WHERE product IS NOT NULL AND product.id IS NOT NULL
GROUP BY window_start, window_end, product.id;
