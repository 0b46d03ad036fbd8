-- Trending products: cart interactions (add_to_cart, remove_from_cart) per product over a sliding
-- (hopping) window, and the units added to carts. A purchase is one order of several products
-- (`ORDER`->lines) and carries no `product`: units sold per product would take one row per order
-- line (ksqlDB's EXPLODE table function), which the embedded engine (docs/ksql.md) does not run.
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
    SUM(CASE WHEN `TYPE` = 'add_to_cart' THEN product->quantity ELSE 0 END) AS units_added,
    WINDOWSTART AS window_start,
    WINDOWEND AS window_end
  FROM clickstream
  WINDOW HOPPING (SIZE ${TRENDING_SIZE}, ADVANCE BY ${TRENDING_ADVANCE}, GRACE PERIOD ${LATE_GRACE})
  WHERE product IS NOT NULL
  GROUP BY product->id
  EMIT CHANGES;
