import { describe, expect, it } from 'vitest';
import { jsonEngine } from './engine-helpers.ts';

// The rules of ksqlDB's CastEvaluator (ksqldb-execution codegen/helpers/CastEvaluator.java).
const SOURCE =
  "CREATE STREAM s (k STRING KEY, a ARRAY<BIGINT>, m MAP<STRING, STRING>, st STRUCT<F0 BIGINT, F1 STRING>, d DOUBLE, txt STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');";

describe('CAST as ksqlDB compiles it', () => {
  it('converts containers element by element and prints them as Java does', () => {
    const { send } = jsonEngine(
      `${SOURCE} CREATE STREAM o AS SELECT k, CAST(a AS ARRAY<INT>) AS ints, CAST(a AS STRING) AS a_text, CAST(m AS MAP<STRING, INT>) AS nums, CAST(st AS STRUCT<F0 STRING, F3 STRING>) AS renamed, CAST(st AS STRING) AS st_text FROM s;`,
    );

    const [row] = send('s', 'u', { a: [1, 2147483648], m: { x: '10' }, st: { F0: 1, F1: null } }, 0);

    expect(row?.value).toEqual({
      INTS: [1, -2147483648],
      A_TEXT: '[1, 2147483648]',
      NUMS: { x: 10 },
      RENAMED: { F0: '1', F3: null },
      ST_TEXT: 'Struct{F0=1}',
    });
  });

  it('makes the CAST null when a value does not convert, and saturates DOUBLE to INT', () => {
    const { send } = jsonEngine(
      `${SOURCE} CREATE STREAM o AS SELECT k, CAST(txt AS INT) AS n, CAST(d AS INT) AS clipped, CAST(txt AS BOOLEAN) AS b FROM s;`,
    );

    const rows = [
      send('s', 'u', { txt: 'x', d: 1e12 }, 0),
      send('s', 'u', { txt: ' Ye ', d: -1e12 }, 1),
    ].flat();

    expect(rows.map((r) => r.value)).toEqual([
      { N: null, CLIPPED: 2147483647, B: false },
      { N: null, CLIPPED: -2147483648, B: true },
    ]);
  });

  it('refuses a cast ksqlDB has no rule for, in its words', () => {
    const { engine } = jsonEngine(SOURCE);

    expect(() => engine.execute('CREATE STREAM o AS SELECT k, CAST(txt AS ARRAY<INT>) AS x FROM s;')).toThrow(
      'Invalid Select: Cast of STRING to ARRAY<INTEGER> is not supported.',
    );
  });
});
