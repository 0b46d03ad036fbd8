import { describe, expect, it } from 'vitest';
import { jsonEngine } from './engine-helpers.ts';

/*
 * The shapes ksql/V00000*.sql use that no reference case of ksqlDB's exercises, each stated as the
 * rule ksqlDB codes, with inputs of their own. Sources: confluentinc/ksql (ksqldb-engine udaf/,
 * ksqldb-execution codegen/SqlToJavaVisitor.java), apache/kafka (KStreamSessionWindowAggregate).
 */

const EVENTS =
  "CREATE STREAM events (user_id STRING KEY, `TYPE` STRING, page STRUCT<path STRING>, `ORDER` STRUCT<revenue DOUBLE>, converted BOOLEAN) WITH (KAFKA_TOPIC='events', VALUE_FORMAT='JSON');";

const values = (rows: { value: unknown }[]): unknown[] => rows.map((r) => r.value);

describe('shapes of the migrations', () => {
  it('SUM over CASE in a session window: a merge adds the sums of the merged sessions (V3)', () => {
    // Rule: SumKudaf.merge(a, b) = a + b, applied by the session merger when a record bridges two
    // sessions (KStreamSessionWindowAggregate: merged = merge(init, s1, s2), then aggregate(record)).
    const { send } = jsonEngine(
      `${EVENTS} CREATE TABLE s AS SELECT user_id, SUM(CASE WHEN \`TYPE\` = 'page_view' THEN 1 ELSE 0 END) AS views, COUNT(*) AS events FROM events WINDOW SESSION (10 SECONDS) GROUP BY user_id;`,
    );
    send('events', 'u', { TYPE: 'page_view' }, 0);
    send('events', 'u', { TYPE: 'add_to_cart' }, 20_000);

    const bridged = send('events', 'u', { TYPE: 'page_view' }, 10_000);

    expect(bridged.map((r) => [r.window, r.value])).toEqual([
      [{ start: 0, end: 0 }, null],
      [{ start: 20_000, end: 20_000 }, null],
      [
        { start: 0, end: 20_000 },
        { VIEWS: 2, EVENTS: 3 },
      ],
    ]);
  });

  it('COUNT_DISTINCT over a struct field in a window: distinct non-null values per window (V2, V3)', () => {
    // Rule: CountDistinct.aggregate skips null; distinct values are counted per window. ksqlDB
    // estimates with HyperLogLog (2^14 registers, linear counting at small cardinalities), which
    // is exact at counts this small.
    const { send } = jsonEngine(
      `${EVENTS} CREATE TABLE t AS SELECT user_id, COUNT_DISTINCT(page->path) AS pages FROM events WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY user_id;`,
    );
    send('events', 'u', { page: { path: '/a' } }, 1_000);
    send('events', 'u', { page: { path: '/a' } }, 2_000);
    send('events', 'u', { page: null }, 3_000);
    const second = send('events', 'u', { page: { path: '/b' } }, 4_000);
    const nextWindow = send('events', 'u', { page: { path: '/a' } }, 61_000);

    expect(values(second)).toEqual([{ PAGES: 2 }]);
    expect(nextWindow.map((r) => [r.window, r.value])).toEqual([
      [{ start: 60_000, end: 120_000 }, { PAGES: 1 }],
    ]);
  });

  it('WHERE on a hopping aggregation filters records before they reach any window (V4)', () => {
    // Rule: the WHERE is a stream filter before the grouping (ksqlDB's StreamFilter step), and a
    // record that passes counts in every hopping window holding it (TimeWindows.windowsFor).
    const { send } = jsonEngine(
      `${EVENTS} CREATE TABLE h AS SELECT \`TYPE\`, COUNT(*) AS n FROM events WINDOW HOPPING (SIZE 2 MINUTES, ADVANCE BY 1 MINUTE) WHERE page IS NOT NULL GROUP BY \`TYPE\`;`,
    );

    const filtered = send('events', 'u', { TYPE: 'view', page: null }, 90_000);
    const counted = send('events', 'u', { TYPE: 'view', page: { path: '/a' } }, 90_000);

    expect(filtered).toEqual([]);
    expect(counted.map((r) => [r.window, r.value])).toEqual([
      [{ start: 0, end: 120_000 }, { N: 1 }],
      [{ start: 60_000, end: 180_000 }, { N: 1 }],
    ]);
  });

  it('struct IS NOT NULL is true for a struct whose fields are all null, false for an absent one (V4)', () => {
    // Rule: SqlToJavaVisitor.visitIsNotNullPredicate tests the value itself ("(x != null)").
    const { send } = jsonEngine(
      `${EVENTS} CREATE STREAM o AS SELECT user_id, page IS NOT NULL AS has_page FROM events;`,
    );

    const rows = [send('events', 'u', { page: { path: null } }, 1), send('events', 'u', {}, 2)].flat();

    expect(values(rows)).toEqual([{ HAS_PAGE: true }, { HAS_PAGE: false }]);
  });

  it('CAST(SUM(…) AS DOUBLE) / COUNT(*) divides as doubles, not integers (V6)', () => {
    // Rule: DOUBLE / BIGINT is Java double division (SqlToJavaVisitor.visitArithmeticBinary widens
    // to the wider type); without the CAST, BIGINT / BIGINT would truncate to 0.
    const { send } = jsonEngine(
      `${EVENTS} CREATE TABLE r AS SELECT user_id, CAST(SUM(CASE WHEN converted THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS rate, SUM(CASE WHEN converted THEN 1 ELSE 0 END) / COUNT(*) AS truncated FROM events WINDOW TUMBLING (SIZE 5 MINUTES) GROUP BY user_id;`,
    );
    send('events', 'u', { converted: true }, 1_000);
    send('events', 'u', { converted: false }, 2_000);

    const third = send('events', 'u', { converted: false }, 3_000);

    expect(values(third)).toEqual([{ RATE: 1 / 3, TRUNCATED: 0 }]);
  });

  it('PARTITIONS in CREATE TABLE … AS SELECT sets the sink topic’s partition count (V2–V6)', () => {
    // Rule: the PARTITIONS property of a CTAS/CSAS names the partition count ksqlDB creates the
    // sink topic with (docs.ksqldb.io, CREATE TABLE AS SELECT, "PARTITIONS"); absent, the sink
    // gets the source's count.
    const { engine } = jsonEngine(
      `${EVENTS} CREATE TABLE p WITH (PARTITIONS = 6) AS SELECT user_id, COUNT(*) AS n FROM events GROUP BY user_id;`,
    );

    expect(engine.catalog.get('P')?.partitions).toBe(6);
  });
});
