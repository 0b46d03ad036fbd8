import { describe, expect, it } from 'vitest';
import { jsonEngine, PAGEVIEWS_SOURCE } from './engine-helpers.ts';

// The rule (Kafka Streams, KStreamSessionWindowAggregate): close time = stream time − grace −
// inactivity gap; a record is dropped only when the session it would join or start ends before
// the close time.
const SESSIONS = (window: string) =>
  `${PAGEVIEWS_SOURCE} CREATE TABLE sessions AS SELECT user_id, COUNT(*) AS events FROM clicks ${window} GROUP BY user_id;`;

describe('late records in session windows', () => {
  it('keeps a new session that ends within grace + gap of stream time', () => {
    // Stream time 100 s, grace 20 s, gap 30 s: close time 50 s.
    const { engine, send } = jsonEngine(SESSIONS('WINDOW SESSION (30 SECONDS, GRACE PERIOD 20 SECONDS)'));
    send('clicks', 'u1', { page: '/a' }, 100_000);

    const kept = send('clicks', 'u2', { page: '/a' }, 50_000);
    const dropped = send('clicks', 'u3', { page: '/a' }, 49_999);

    expect(kept.map((row) => [row.key, row.value])).toEqual([['u2', { EVENTS: 1 }]]);
    expect(dropped).toEqual([]);
    expect(engine.skipped.get('late-record')).toBe(1);
  });

  it('judges a late record by the merged session: joining a session that is still open keeps it', () => {
    const { send } = jsonEngine(SESSIONS('WINDOW SESSION (30 SECONDS, GRACE PERIOD 0 SECONDS)'));
    send('clicks', 'u1', { page: '/a' }, 60_000);
    send('clicks', 'u2', { page: '/a' }, 90_000);

    // 35 s is before the close time (90 − 0 − 30 = 60 s) on its own, but it joins u1's session,
    // which ends at 60 s: the merged session [35 s, 60 s] is not before the close time.
    const joined = send('clicks', 'u1', { page: '/b' }, 35_000);

    expect(joined.at(-1)).toMatchObject({
      key: 'u1',
      window: { start: 35_000, end: 60_000 },
      value: { EVENTS: 2 },
    });
  });

  it('accepts a named window, as the grammar does (WINDOW name SESSION …)', () => {
    const { send } = jsonEngine(SESSIONS('WINDOW visits SESSION (30 SECONDS)'));

    expect(send('clicks', 'u1', { page: '/a' }, 1_000).map((row) => row.value)).toEqual([{ EVENTS: 1 }]);
  });

  it('accepts a named tumbling window too', () => {
    const { send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE TABLE views AS SELECT page, COUNT(*) AS views FROM clicks WINDOW per_minute TUMBLING (SIZE 1 MINUTE) GROUP BY page;`,
    );

    expect(send('clicks', 'u1', { page: '/a' }, 1_000).map((row) => row.window)).toEqual([
      { start: 0, end: 60_000 },
    ]);
  });
});
