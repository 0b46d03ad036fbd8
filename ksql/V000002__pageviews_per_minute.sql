-- Page views per page per minute, updated as they happen (every update is a new row version).
CREATE TABLE pageviews_per_minute WITH (
  KAFKA_TOPIC = '${PAGEVIEWS_TOPIC}',
  KEY_FORMAT = 'KAFKA',
  VALUE_FORMAT = 'JSON',
  PARTITIONS = ${OUTPUT_PARTITIONS}
) AS
  SELECT
    page->path AS page_path,
    COUNT(*) AS views,
    COUNT_DISTINCT(userId) AS unique_users,
    WINDOWSTART AS window_start,
    WINDOWEND AS window_end
  FROM clickstream
  WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD ${LATE_GRACE})
  WHERE `TYPE` = 'page_view'
  GROUP BY page->path
  EMIT CHANGES;
