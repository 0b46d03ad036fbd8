import { describe, expect, it } from 'vitest';
import { KsqlStatementError } from '../../../emulators/ksql/errors.ts';
import { jsonEngine, PAGEVIEWS_SOURCE } from './engine-helpers.ts';

describe('IN lists (ksqlDB InListEvaluator / CoercionUtil)', () => {
  it('reads string literals as the value’s numeric type and skips NULLs', () => {
    const { send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE STREAM o AS SELECT user_id, n IN ('2', 3, NULL) AS hit FROM clicks;`,
    );

    const rows = [2, 3, 4, null].flatMap((n, i) => send('clicks', 'u', { n }, i));

    expect(rows.map((r) => r.value)).toEqual([{ HIT: true }, { HIT: true }, { HIT: false }, { HIT: false }]);
  });

  it('rejects a list element that cannot take the value’s type, in ksqlDB’s words', () => {
    const { engine } = jsonEngine(PAGEVIEWS_SOURCE);

    const attempt = (): unknown =>
      engine.execute("CREATE STREAM o AS SELECT * FROM clicks WHERE n IN (1, 'one');");

    expect(attempt).toThrow(KsqlStatementError);
    expect(attempt).toThrow('Invalid Predicate: invalid input syntax for type INTEGER: "one".');
  });
});
