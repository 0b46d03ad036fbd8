import { describe, expect, it } from 'vitest';
import { KsqlEngine } from '../../../emulators/ksql/engine.ts';
import { KsqlParseError, KsqlStatementError, KsqlUnsupportedError } from '../../../emulators/ksql/errors.ts';
import { jsonEngine, PAGEVIEWS_SOURCE } from './engine-helpers.ts';

describe('statements the engine rejects', () => {
  it('names line, column and statement of a syntax error', () => {
    // prepare
    const script = `${PAGEVIEWS_SOURCE}\nCREATE TABLE t AS SELECT page COUNT(*) FROM clicks GROUP BY page;`;

    // act
    const attempt = (): unknown => new KsqlEngine().executeScript(script);

    // assert
    expect(attempt).toThrow(KsqlParseError);
    expect(attempt).toThrow(/^line 2:36: Syntax Error\n.*\nStatement: CREATE TABLE t AS SELECT page COUNT/s);
  });

  it('rejects a construct outside the subset by naming it, rather than running it differently', () => {
    // prepare
    const engine = new KsqlEngine();
    engine.execute(PAGEVIEWS_SOURCE);

    // act
    const attempt = (): unknown =>
      engine.execute(
        'CREATE STREAM j AS SELECT * FROM clicks c JOIN clicks d WITHIN 1 MINUTE ON c.page = d.page;',
      );

    // assert
    expect(attempt).toThrow(KsqlUnsupportedError);
    expect(attempt).toThrow('JOIN');
  });

  it("reports an unknown column in ksqlDB's words", () => {
    // prepare
    const engine = new KsqlEngine();
    engine.execute(PAGEVIEWS_SOURCE);

    // act
    const attempt = (): unknown => engine.execute('CREATE STREAM s AS SELECT user_id, nope FROM clicks;');

    // assert
    expect(attempt).toThrow(KsqlStatementError);
    expect(attempt).toThrow("SELECT column 'NOPE' cannot be resolved.");
  });
});

describe('records that do not match the schema', () => {
  it('are skipped and counted, and processing continues', () => {
    // prepare
    const { engine, send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE STREAM copy AS SELECT user_id, page, n FROM clicks;`,
    );

    // act
    const bad = send('clicks', 'u1', { page: '/a', n: 'not a number' }, 1);
    const good = send('clicks', 'u1', { page: '/a', n: 2 }, 2);

    // assert
    expect(bad).toEqual([]);
    expect(engine.skipped.get('deserialization-error')).toBe(1);
    expect(good.map((o) => o.value)).toEqual([{ PAGE: '/a', N: 2 }]);
  });
});
