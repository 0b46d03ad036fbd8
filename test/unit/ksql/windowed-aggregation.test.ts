import { describe, expect, it } from 'vitest';
import { jsonEngine, PAGEVIEWS_SOURCE } from './engine-helpers.ts';

describe('windowed aggregation', () => {
  it('emits every update of a tumbling window with the largest timestamp seen for it', () => {
    // prepare
    const { send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE TABLE views WITH (KAFKA_TOPIC='views') AS SELECT page, COUNT(*) AS views FROM clicks WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY page;`,
    );

    // act
    const first = send('clicks', 'u1', { page: '/a', n: 1 }, 61_000);
    const second = send('clicks', 'u2', { page: '/a', n: 1 }, 60_500);

    // assert
    expect(first).toEqual([
      {
        topic: 'views',
        key: '/a',
        window: { start: 60_000, end: 120_000 },
        value: { VIEWS: 1 },
        timestamp: 61_000,
      },
    ]);
    expect(second).toEqual([
      {
        topic: 'views',
        key: '/a',
        window: { start: 60_000, end: 120_000 },
        value: { VIEWS: 2 },
        timestamp: 61_000,
      },
    ]);
  });

  it('drops a record whose window closed by stream time (window end + grace)', () => {
    // prepare
    const { engine, send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE TABLE views AS SELECT page, COUNT(*) AS views FROM clicks WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY page;`,
    );
    send('clicks', 'u1', { page: '/a' }, 1_000);
    send('clicks', 'u1', { page: '/b' }, 15_000);

    // act
    const late = send('clicks', 'u1', { page: '/a' }, 9_000);
    const inGrace = send('clicks', 'u1', { page: '/b' }, 14_999);

    // assert
    expect(late).toEqual([]);
    expect(engine.skipped.get('late-record')).toBe(1);
    expect(inGrace.map((o) => o.value)).toEqual([{ VIEWS: 2 }]);
  });

  it("keeps accepting out-of-order records for 24 h minus the window size when no grace is given (ksqlDB's legacy default)", () => {
    // prepare
    const { send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE TABLE views AS SELECT page, COUNT(*) AS views FROM clicks WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY page;`,
    );
    send('clicks', 'u1', { page: '/a' }, 0);
    send('clicks', 'u1', { page: '/x' }, 86_400_000 - 1);

    // act
    const stillOpen = send('clicks', 'u1', { page: '/a' }, 10);
    send('clicks', 'u1', { page: '/x' }, 86_400_000);
    const closed = send('clicks', 'u1', { page: '/a' }, 10);

    // assert
    expect(stillOpen.map((o) => o.value)).toEqual([{ VIEWS: 2 }]);
    expect(closed).toEqual([]);
  });

  it('assigns a record to every hopping window that contains it, oldest first', () => {
    // prepare
    const { send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE TABLE trending AS SELECT page, SUM(n) AS total FROM clicks WINDOW HOPPING (SIZE 30 SECONDS, ADVANCE BY 10 SECONDS) GROUP BY page;`,
    );

    // act
    const out = send('clicks', 'u1', { page: '/p', n: 3 }, 25_000);

    // assert
    expect(out.map((o) => o.window)).toEqual([
      { start: 0, end: 30_000 },
      { start: 10_000, end: 40_000 },
      { start: 20_000, end: 50_000 },
    ]);
    expect(out.map((o) => o.value)).toEqual([{ TOTAL: 3 }, { TOTAL: 3 }, { TOTAL: 3 }]);
  });

  it('writes a tombstone when a row stops matching HAVING, and nothing for rows that never matched', () => {
    // prepare
    const { send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE TABLE busy AS SELECT user_id, SUM(n) AS total FROM clicks WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY user_id HAVING SUM(n) > 5;`,
    );

    // act
    const never = send('clicks', 'quiet', { page: '/', n: 1 }, 0);
    const match = send('clicks', 'bot', { page: '/', n: 9 }, 1);
    const unmatch = send('clicks', 'bot', { page: '/', n: -8 }, 2);

    // assert
    expect(never).toEqual([]);
    expect(match.map((o) => o.value)).toEqual([{ TOTAL: 9 }]);
    expect(unmatch).toEqual([
      { topic: 'BUSY', key: 'bot', window: { start: 0, end: 10_000 }, value: null, timestamp: 2 },
    ]);
  });

  it('exposes WINDOWSTART and WINDOWEND as value columns', () => {
    // prepare
    const { send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE TABLE views AS SELECT page, WINDOWSTART AS ws, WINDOWEND AS we, COUNT(*) AS c FROM clicks WINDOW TUMBLING (SIZE 5 SECONDS) GROUP BY page;`,
    );

    // act
    const out = send('clicks', 'u', { page: '/w' }, 7_000);

    // assert
    expect(out.map((o) => o.value)).toEqual([{ WS: 5_000, WE: 10_000, C: 1 }]);
  });
});

describe('session windows', () => {
  it('merges sessions a record bridges: tombstones for the old sessions, then the merged one', () => {
    // prepare
    const { send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE TABLE sessions AS SELECT user_id, COUNT(*) AS events FROM clicks WINDOW SESSION (10 SECONDS) GROUP BY user_id;`,
    );
    send('clicks', 'u1', { page: '/a' }, 0);
    send('clicks', 'u1', { page: '/b' }, 15_000);

    // act
    const bridge = send('clicks', 'u1', { page: '/c' }, 8_000);

    // assert
    expect(bridge).toEqual([
      { topic: 'SESSIONS', key: 'u1', window: { start: 0, end: 0 }, value: null, timestamp: 0 },
      {
        topic: 'SESSIONS',
        key: 'u1',
        window: { start: 15_000, end: 15_000 },
        value: null,
        timestamp: 15_000,
      },
      {
        topic: 'SESSIONS',
        key: 'u1',
        window: { start: 0, end: 15_000 },
        value: { EVENTS: 3 },
        timestamp: 15_000,
      },
    ]);
  });

  it('with EMIT FINAL emits one row per session once stream time passes its end plus gap and grace', () => {
    // prepare
    const { send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE TABLE sessions AS SELECT user_id, COUNT(*) AS events FROM clicks WINDOW SESSION (10 SECONDS) GROUP BY user_id EMIT FINAL;`,
    );
    send('clicks', 'u1', { page: '/a' }, 0);
    send('clicks', 'u1', { page: '/b' }, 5_000);

    // act: a session's end is inclusive, so it closes once end + gap + grace < stream time
    // (KStreamSessionWindowAggregate: emit range upper bound = close time − 1)
    const open = send('clicks', 'u2', { page: '/a' }, 15_000);
    const closed = send('clicks', 'u2', { page: '/b' }, 15_001);

    // assert
    expect(open).toEqual([]);
    expect(closed).toEqual([
      {
        topic: 'SESSIONS',
        key: 'u1',
        window: { start: 0, end: 5_000 },
        value: { EVENTS: 2 },
        timestamp: 5_000,
      },
    ]);
  });
});

describe('EMIT FINAL on time windows', () => {
  it('emits the final value when the window closes, with grace 0 when none is given', () => {
    // prepare
    const { send } = jsonEngine(
      `${PAGEVIEWS_SOURCE} CREATE TABLE views AS SELECT page, COUNT(*) AS c FROM clicks WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY page EMIT FINAL;`,
    );
    send('clicks', 'u', { page: '/a' }, 1_000);
    const early = send('clicks', 'u', { page: '/a' }, 9_999);

    // act
    const atEnd = send('clicks', 'u', { page: '/b' }, 10_000);

    // assert
    expect(early).toEqual([]);
    expect(atEnd).toEqual([
      { topic: 'VIEWS', key: '/a', window: { start: 0, end: 10_000 }, value: { C: 2 }, timestamp: 9_999 },
    ]);
  });
});
