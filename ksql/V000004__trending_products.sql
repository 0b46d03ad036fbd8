-- Trending products: interactions per product over a sliding (hopping) window.
CREATE TABLE trending_products WITH (
  KAFKA_TOPIC = '${TRENDING_TOPIC}',
  KEY_FORMAT = 'KAFKA',
  VALUE_FORMAT = 'JSON',
  PARTITIONS = ${OUTPUT_PARTITIONS}
) AS
  SELECT
    product->id AS product_id,
    LATEST_BY_OFFSET(product->category) AS category,
    COUNT(*) AS interactions,
    SUM(CASE WHEN `TYPE` = 'purchase' THEN product->quantity ELSE 0 END) AS units_sold,
    WINDOWSTART AS window_start,
    WINDOWEND AS window_end
  FROM clickstream
  WINDOW HOPPING (SIZE ${TRENDING_SIZE}, ADVANCE BY ${TRENDING_ADVANCE}, GRACE PERIOD ${LATE_GRACE})
  WHERE product IS NOT NULL
  GROUP BY product->id
  EMIT CHANGES;
