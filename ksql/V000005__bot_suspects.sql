-- Bot suspects: users with more than BOT_THRESHOLD events in 10 seconds. A row that drops
-- back under the threshold (it cannot, counts only grow) would be deleted by a tombstone.
CREATE TABLE bot_suspects WITH (
  KAFKA_TOPIC = '${BOT_SUSPECTS_TOPIC}',
  KEY_FORMAT = 'KAFKA',
  VALUE_FORMAT = 'JSON',
  PARTITIONS = ${OUTPUT_PARTITIONS}
) AS
  SELECT
    userId,
    COUNT(*) AS events,
    COUNT_DISTINCT(page->path) AS distinct_pages,
    LATEST_BY_OFFSET(userAgent) AS user_agent,
    LATEST_BY_OFFSET(ip) AS ip,
    WINDOWSTART AS window_start,
    WINDOWEND AS window_end
  FROM clickstream
  WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD ${LATE_GRACE})
  GROUP BY userId
  HAVING COUNT(*) > ${BOT_THRESHOLD}
  EMIT CHANGES;
