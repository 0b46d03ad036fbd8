-- The clickstream (services/clickstream/event.ts) as Flink tables over the events topic: the
-- Flink side of ksql/V000001. Kafka key = userId (raw UTF-8 bytes); value = the event's JSON.
-- Docs: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/connectors/table/kafka/

-- Window bounds are computed in the session time zone for TIMESTAMP_LTZ time attributes; UTC
-- keeps them on the epoch-aligned boundaries ksqlDB uses (windows start at multiples of their
-- size or advance since the epoch).
-- https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/timezone/
SET 'table.local-time-zone' = 'UTC';

-- A partition that receives nothing would hold the watermark (the minimum over partitions) back
-- and no window would ever close; after this long without records it is marked idle and left out.
-- ksqlDB has no such setting: its stream time is per task (per partition) and advances only
-- with records. https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/config/#table-exec-source-idle-timeout
SET 'table.exec.source.idle-timeout' = '${IDLE_TIMEOUT}';

-- Events that cannot be parsed are skipped (json.ignore-parse-errors), as ksqlDB's processing
-- log skips them. An event without eventTime gets time 0: it falls behind the watermark and
-- is dropped as late by every window, instead of failing the job on a null rowtime.
-- The watermark is eventTime minus the ksql grace period minus 1 ms, emitted for every record
-- (scan.watermark.emit.strategy = on-event) so that lateness is decided record by record, as
-- Kafka Streams decides it from stream time:
--   ksqlDB keeps a record when windowEnd > streamTime - grace (KStreamWindowAggregate);
--   Flink drops a record whose window fired, i.e. windowEnd - 1 <= watermark
--   (https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/sql/queries/window-agg/#late-data);
--   with watermark = maxEventTime - grace - 1 ms both keep exactly the same records.
-- https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/sql/create/#watermark
-- https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/sql/queries/hints/#watermark-options
CREATE TABLE clickstream (
  userId STRING,
  eventId STRING,
  schemaVersion INT,
  `type` STRING,
  sessionId STRING,
  eventTime BIGINT,
  page ROW<path STRING, title STRING, referrer STRING>,
  product ROW<id STRING, category STRING, price DOUBLE, quantity INT>,
  `order` ROW<lines ARRAY<ROW<productId STRING, quantity INT, unitPrice DOUBLE>>, quantity INT, revenue DOUBLE>,
  `query` STRING,
  userAgent STRING,
  ip STRING,
  utm ROW<source STRING, medium STRING, campaign STRING>,
  -- LATEST_BY_OFFSET / EARLIEST_BY_OFFSET: Flink's LAST_VALUE / FIRST_VALUE cannot merge
  -- (hopping slices, session merges), so the statements take MAX / MIN of the value prefixed by
  -- its zero-padded offset, which merge and, like ksqlDB's, skip nulls.
  kafka_offset BIGINT METADATA FROM 'offset' VIRTUAL,
  event_time AS TO_TIMESTAMP_LTZ(COALESCE(eventTime, 0), 3),
  WATERMARK FOR event_time AS event_time - ${LATE_GRACE} - INTERVAL '0.001' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${EVENTS_TOPIC}',
  ${KAFKA_CONNECTION},
  'properties.group.id' = '${GROUP_ID}',
  'scan.startup.mode' = '${STARTUP_MODE}',
  'scan.watermark.emit.strategy' = 'on-event',
  'key.format' = 'raw',
  'key.fields' = 'userId',
  'value.format' = 'json',
  'value.json.ignore-parse-errors' = 'true',
  'value.fields-include' = 'EXCEPT_KEY'
);

-- The session window's grace period differs from the other windows' (ksql SESSION_GRACE vs
-- LATE_GRACE), and a watermark belongs to a table: the same topic again, with its own watermark.
-- https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/sql/create/#like
CREATE TABLE clickstream_for_sessions (
  event_time AS TO_TIMESTAMP_LTZ(COALESCE(eventTime, 0), 3),
  WATERMARK FOR event_time AS event_time - ${SESSION_GRACE} - INTERVAL '0.001' SECOND
) WITH (
  'properties.group.id' = '${GROUP_ID}-sessions'
) LIKE clickstream (EXCLUDING GENERATED EXCLUDING WATERMARKS OVERWRITING OPTIONS);
