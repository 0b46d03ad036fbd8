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
    // Gap 30 s, grace 10 s: the store keeps sessions for 40 s after the latest session end it holds.
    const { send } = jsonEngine(SESSIONS('WINDOW SESSION (30 SECONDS, GRACE PERIOD 10 SECONDS)'));
    send('clicks', 'u1', { page: '/a' }, 60_000);
    send('clicks', 'u2', { page: '/a' }, 90_000);

    // 35 s is before the close time (90 − 10 − 30 = 50 s) on its own, but it joins u1's session,
    // which ends at 60 s: the merged session [35 s, 60 s] is not before the close time.
    const joined = send('clicks', 'u1', { page: '/b' }, 35_000);

    expect(joined.at(-1)).toMatchObject({
      key: 'u1',
      window: { start: 35_000, end: 60_000 },
      value: { EVENTS: 2 },
    });
  });

  it('merges only with sessions the store still holds: retention is gap + grace from the latest session end', () => {
    // Rule (Kafka Streams): SessionStoreMaterializer retention = gap + grace; a fetch sees a
    // session only if its end ≥ observed − retention + 1 (AbstractRocksDBSegmentedBytesStore
    // getActualFrom). Gap 30 s, grace 0: after a session ending at 90 s, sessions ending before
    // 60 001 ms are gone, though a record at 59 s is not late (close time 60 s ≤ merged end).
    const { engine, send } = jsonEngine(SESSIONS('WINDOW SESSION (30 SECONDS, GRACE PERIOD 0 SECONDS)'));
    send('clicks', 'u1', { page: '/a' }, 60_000);
    send('clicks', 'u2', { page: '/a' }, 90_000);

    const alone = send('clicks', 'u1', { page: '/b' }, 60_000);

    // Not merged into [60 s, 60 s] (no tombstone): a new session of its own.
    expect(alone.map((row) => [row.key, row.window, row.value])).toEqual([
      ['u1', { start: 60_000, end: 60_000 }, { EVENTS: 1 }],
    ]);
    expect(engine.skipped.get('late-record')).toBeUndefined();
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
