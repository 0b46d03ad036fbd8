import { describe, expect, it } from 'vitest';
import { parsePartialTimestamp } from '../../../emulators/ksql/magic-timestamp.ts';
import { jsonEngine, PAGEVIEWS_SOURCE } from './engine-helpers.ts';

describe('timestamps written as strings in filters (ksqlDB PartialStringToTimestampParser)', () => {
  it('completes partial dates and times, reads UTC unless an offset is given', () => {
    expect(parsePartialTimestamp('2018')).toBe(Date.UTC(2018, 0, 1));
    expect(parsePartialTimestamp('2018-03-04T05')).toBe(Date.UTC(2018, 2, 4, 5));
    expect(parsePartialTimestamp('2019-01-01T00:00:00+0445')).toBe(Date.UTC(2018, 11, 31, 19, 15));
    expect(parsePartialTimestamp('2020-05-26T23:59:58.000Z')).toBe(Date.UTC(2020, 4, 26, 23, 59, 58));
  });

  it('compares ROWTIME with a string literal as with its epoch milliseconds', () => {
    const { send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE STREAM recent AS SELECT user_id, page FROM clicks WHERE ROWTIME >= '2026-01-01';`,
    );

    const before = send('clicks', 'u', { page: '/a' }, Date.UTC(2025, 11, 31, 23, 59, 59, 999));
    const after = send('clicks', 'u', { page: '/b' }, Date.UTC(2026, 0, 1));

    expect(before).toEqual([]);
    expect(after.map((r) => r.value)).toEqual([{ PAGE: '/b' }]);
  });
});
