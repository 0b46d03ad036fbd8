import { describe, expect, it } from 'vitest';
import { KsqlEngine } from '../../../emulators/ksql/engine.ts';
import { KsqlUnsupportedError } from '../../../emulators/ksql/errors.ts';

/*
 * A walk of ksqlDB's grammar (ksqldb-parser/src/main/antlr4/io/confluent/ksql/parser/SqlBase.g4:
 * statement, query, windowExpression, groupBy, primaryExpression, tableElement, tableProperties)
 * over the statement shapes clickstream work writes. The rule: valid ksqlDB either runs on the
 * engine or is refused as unsupported, naming the construct — never a syntax error, never a
 * semantic error ksqlDB would not raise. Each line is valid ksqlDB 0.29 / Confluent Platform 8.
 */
const SOURCE =
  "CREATE STREAM s (k STRING KEY, a INT, b STRING, m MAP<STRING, INT>, arr ARRAY<INT>, st STRUCT<x INT, y STRING>, ts BIGINT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');";

const outcome = (statement: string): string => {
  const engine = new KsqlEngine();
  engine.executeScript(SOURCE);
  try {
    engine.executeScript(statement);
    return 'accepted';
  } catch (error) {
    return error instanceof KsqlUnsupportedError
      ? 'unsupported'
      : `${(error as Error).name}: ${(error as Error).message}`;
  }
};

/** Shapes the engine runs: CSAS/CTAS, windows, GROUP BY, HAVING, EMIT, WITH, CASE, dereference, the migrations' aggregates. */
const ACCEPTED = [
  `CREATE STREAM o AS SELECT * FROM s;`,
  `CREATE STREAM o WITH (KAFKA_TOPIC='x', PARTITIONS=2, VALUE_FORMAT='JSON') AS SELECT k, a FROM s EMIT CHANGES;`,
  `CREATE OR REPLACE STREAM o AS SELECT k, a FROM s;`,
  `CREATE STREAM IF NOT EXISTS o AS SELECT k, a FROM s;`,
  `CREATE STREAM o AS SELECT k, CASE WHEN a > 1 THEN 'x' WHEN a < 0 THEN 'y' ELSE 'z' END AS c FROM s;`,
  `CREATE STREAM o AS SELECT k, CASE a WHEN 1 THEN 'one' ELSE 'many' END AS c FROM s;`,
  `CREATE STREAM o AS SELECT k, st->x AS x, arr[1] AS first, m['a'] AS ma FROM s;`,
  `CREATE STREAM o AS SELECT s.k, s.a FROM s s;`,
  `CREATE STREAM o AS SELECT s.k, s.a FROM s AS s;`,
  `CREATE STREAM o AS SELECT k, a FROM s WHERE b LIKE 'x%' AND a BETWEEN 1 AND 5 AND b IN ('a','b') AND b IS NOT NULL AND NOT (a = 2);`,
  `CREATE STREAM o AS SELECT k, a FROM s WHERE b NOT LIKE 'x%' AND a NOT BETWEEN 1 AND 2 AND b NOT IN ('q');`,
  `CREATE STREAM o AS SELECT k, a FROM s WHERE a <> 1 AND a != 2 AND a >= 0 AND a <= 9;`,
  `CREATE STREAM o AS SELECT k, -a AS neg, a % 2 AS md, a / 2 AS dv, a * 2 AS ml, st->x * 2 AS dbl FROM s;`,
  `CREATE STREAM o AS SELECT k, 'it''s' AS q, 1.5e3 AS sci, TRUE AS t, CAST(NULL AS STRING) AS n FROM s;`,
  `CREATE STREAM o AS SELECT k, CAST(a AS DOUBLE) AS d FROM s;`,
  `CREATE STREAM o WITH (TIMESTAMP='ts') AS SELECT k, ts FROM s;`,
  `CREATE STREAM o AS SELECT k, AS_VALUE(k) AS kv, a, ROWTIME AS rt FROM s;`,
  `CREATE STREAM o AS SELECT * FROM s WHERE st->x > 1 AND arr[1] = 2 AND m['k'] IS NULL EMIT CHANGES;`,
  `/* a block comment */ CREATE STREAM o AS SELECT * FROM s; -- and a line comment`,
  `CREATE TABLE o AS SELECT k, COUNT(*) AS c FROM s WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY k EMIT CHANGES;`,
  `CREATE TABLE o AS SELECT k, COUNT(*) AS c FROM s WINDOW TUMBLING (SIZE 1 MINUTE, RETENTION 2 DAYS, GRACE PERIOD 10 SECONDS) GROUP BY k EMIT FINAL;`,
  `CREATE TABLE o AS SELECT k, COUNT(*) AS c FROM s WINDOW HOPPING (SIZE 5 MINUTES, ADVANCE BY 1 MINUTE) GROUP BY k;`,
  `CREATE TABLE o AS SELECT k, COUNT(*) AS c FROM s WINDOW SESSION (30 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY k;`,
  `CREATE TABLE o AS SELECT k, COUNT(*) AS c FROM s WINDOW w SESSION (30 SECONDS) GROUP BY k;`,
  `CREATE TABLE o AS SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 MINUTE) WHERE a > 1 GROUP BY k HAVING COUNT(*) > 1 EMIT CHANGES;`,
  `CREATE TABLE o AS SELECT k, COUNT(*) AS c, SUM(a) AS total, AVG(a) AS av, MIN(a), MAX(a), COUNT_DISTINCT(b) AS d, LATEST_BY_OFFSET(b) AS l, EARLIEST_BY_OFFSET(b) AS e, COLLECT_LIST(a) AS cl, COLLECT_SET(b) AS cs FROM s GROUP BY k HAVING COUNT(*) > 2;`,
  `CREATE TABLE o AS SELECT k, COUNT(1) AS c, COUNT(a) AS ca, SUM(CASE WHEN b = 'x' THEN 1 ELSE 0 END) AS xs FROM s GROUP BY k;`,
  `CREATE TABLE o AS SELECT k, LATEST_BY_OFFSET(a, 3) AS la, LATEST_BY_OFFSET(a, false) AS lb FROM s GROUP BY k;`,
  `CREATE TABLE o AS SELECT k, COUNT(*) AS c, WINDOWSTART AS ws, WINDOWEND AS we FROM s WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k;`,
  `CREATE TABLE o AS SELECT CASE WHEN a > 1 THEN 'big' ELSE 'small' END AS size, COUNT(*) FROM s GROUP BY CASE WHEN a > 1 THEN 'big' ELSE 'small' END;`,
  `CREATE TABLE o AS SELECT st->y AS y, COUNT(*) FROM s GROUP BY st->y;`,
  `CREATE TABLE o WITH (KEY_FORMAT='JSON') AS SELECT k, b, COUNT(*) FROM s GROUP BY k, b;`,
  `CREATE TABLE o AS SELECT k AS kk, COUNT(*) FROM s GROUP BY k;`,
  `CREATE STREAM src2 (k STRING KEY, v INT) WITH (KAFKA_TOPIC='t2', VALUE_FORMAT='JSON', PARTITIONS=3, REPLICAS=1, RETENTION_MS=1000);`,
  `CREATE STREAM src3 (k STRING KEY, v INT) WITH (KAFKA_TOPIC='t3', FORMAT='JSON');`,
  `CREATE TABLE tab (k STRING PRIMARY KEY, v INT) WITH (KAFKA_TOPIC='t9', VALUE_FORMAT='JSON');`,
];

/** Valid ksqlDB outside the engine's subset: refused as unsupported, naming the construct. */
const UNSUPPORTED = [
  `CREATE STREAM o AS SELECT k, a FROM s PARTITION BY b;`,
  `CREATE STREAM o AS SELECT k, a FROM s LIMIT 10;`,
  `CREATE STREAM o AS SELECT k, b || 'x' AS cat FROM s;`,
  `CREATE STREAM o AS SELECT k, STRUCT(x := a, y := b) AS st2 FROM s;`,
  `CREATE STREAM o AS SELECT k, ARRAY[a, 1] AS ar FROM s;`,
  `CREATE STREAM o AS SELECT k, EXPLODE(arr) AS v FROM s;`,
  `CREATE STREAM o AS SELECT k, TIMESTAMPTOSTRING(ts, 'yyyy-MM-dd') AS day FROM s;`,
  `CREATE STREAM o AS SELECT k, a, ROWPARTITION AS rp, ROWOFFSET AS ro FROM s;`,
  `CREATE TABLE o AS SELECT k, TOPK(a, 3) FROM s GROUP BY k;`,
  `CREATE TABLE o AS SELECT k, HISTOGRAM(b) FROM s GROUP BY k;`,
  `INSERT INTO s SELECT * FROM s;`,
  `SELECT * FROM s EMIT CHANGES;`,
  `SET 'auto.offset.reset'='earliest';`,
  `UNSET 'auto.offset.reset';`,
  `DEFINE x = 'y';`,
  `CREATE TYPE addr AS STRUCT<street STRING, n INT>;`,
  `DROP STREAM IF EXISTS s DELETE TOPIC;`,
  `TERMINATE ALL;`,
  `ASSERT TOPIC t;`,
  `CREATE SOURCE STREAM src8 (k STRING KEY, v INT) WITH (KAFKA_TOPIC='t8', VALUE_FORMAT='JSON');`,
  `CREATE STREAM src5 (k STRING KEY, d DECIMAL(4,2)) WITH (KAFKA_TOPIC='t5', VALUE_FORMAT='JSON');`,
  `CREATE STREAM src6 (k STRING KEY, h ARRAY<STRUCT<key STRING, value BYTES>> HEADERS) WITH (KAFKA_TOPIC='t6', VALUE_FORMAT='JSON');`,
  `CREATE STREAM src7 (k STRING KEY, h BYTES HEADER('x')) WITH (KAFKA_TOPIC='t7', VALUE_FORMAT='JSON');`,
  `CREATE STREAM src4 (k STRING KEY, v INT) WITH (KAFKA_TOPIC='t4', VALUE_FORMAT='DELIMITED', VALUE_DELIMITER='|');`,
  `CREATE STREAM src9 (k STRING KEY, v BIGINT) WITH (KAFKA_TOPIC='t11', VALUE_FORMAT='JSON', TIMESTAMP='v', TIMESTAMP_FORMAT='yyyy');`,
  `CREATE STREAM src10 (k STRING KEY, v INT) WITH (KAFKA_TOPIC='t12', VALUE_FORMAT='JSON', WRAP_SINGLE_VALUE=false);`,
];

describe('the grammar users write', () => {
  it.each(ACCEPTED)('runs %s', (statement) => {
    expect(outcome(statement)).toBe('accepted');
  });

  it.each(UNSUPPORTED)('refuses as unsupported %s', (statement) => {
    expect(outcome(statement)).toBe('unsupported');
  });
});
