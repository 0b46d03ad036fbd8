import { describe, expect, it } from 'vitest';
import { KsqlEngine } from '../../../emulators/ksql/engine.ts';
import { murmur2, partitionForKey } from '../../../emulators/ksql/partitioner.ts';
import { jsonEngine, PAGEVIEWS_SOURCE } from './engine-helpers.ts';

const encoder = new TextEncoder();

/** Sessions per user (the source key: no repartition), closed 10 s + 2 s grace after the last click. */
const SESSIONS = `${PAGEVIEWS_SOURCE}
  CREATE TABLE sessions AS SELECT user_id, COUNT(*) AS events FROM clicks
  WINDOW SESSION (10 SECONDS, GRACE PERIOD 2 SECONDS) GROUP BY user_id EMIT FINAL;`;

/** Views per page: GROUP BY a value column, so ksqlDB repartitions by page. */
const VIEWS_BY_PAGE = `${PAGEVIEWS_SOURCE}
  CREATE TABLE views AS SELECT page, COUNT(*) AS views FROM clicks
  WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 2 SECONDS) GROUP BY page;`;

/** Pages until two land on the same partition of `partitions` and one on another. */
function pagesByPartition(partitions: number): { first: string; sameAsFirst: string; other: string } {
  const byPartition = new Map<number, string[]>();
  for (let i = 0; i < 100; i++) {
    const page = `/p${i}`;
    const p = partitionForKey(encoder.encode(page), partitions);
    byPartition.set(p, [...(byPartition.get(p) ?? []), page]);
  }
  const [a, b] = [...byPartition.values()];
  if (a === undefined || b === undefined || a.length < 2 || b.length < 1)
    throw new Error('no pages spread over two partitions');
  return { first: a[0] as string, sameAsFirst: a[1] as string, other: b[0] as string };
}

describe('stream time per partition', () => {
  it('drops nothing when partition batches interleave with earlier event times on the later partition', () => {
    // prepare
    const { engine, send } = jsonEngine(SESSIONS);
    const partition0 = [
      send('clicks', 'u1', { page: '/a' }, 0, 0),
      send('clicks', 'u1', { page: '/b' }, 5_000, 0),
      send('clicks', 'u1', { page: '/c' }, 60_000, 0),
    ].flat();

    // act: partition 1's batch comes after partition 0 has reached 60 s
    const partition1 = [
      send('clicks', 'u2', { page: '/a' }, 1_000, 1),
      send('clicks', 'u2', { page: '/b' }, 4_000, 1),
      send('clicks', 'u2', { page: '/c' }, 61_000, 1),
    ].flat();

    // assert
    expect(engine.skipped.get('late-record')).toBeUndefined();
    expect(partition0).toEqual([
      {
        topic: 'SESSIONS',
        key: 'u1',
        window: { start: 0, end: 5_000 },
        value: { EVENTS: 2 },
        timestamp: 5_000,
      },
    ]);
    expect(partition1).toEqual([
      {
        topic: 'SESSIONS',
        key: 'u2',
        window: { start: 1_000, end: 4_000 },
        value: { EVENTS: 2 },
        timestamp: 4_000,
      },
    ]);
  });

  it('still drops a record that is late within its own partition', () => {
    // prepare
    const { engine, send } = jsonEngine(SESSIONS);
    send('clicks', 'u1', { page: '/a' }, 50_000, 0);
    send('clicks', 'u2', { page: '/a' }, 1_000, 1);
    send('clicks', 'u2', { page: '/b' }, 20_000, 1);

    // act: 15 s behind partition 1's stream time, more than gap + grace
    const late = send('clicks', 'u2', { page: '/c' }, 5_000, 1);

    // assert
    expect(late).toEqual([]);
    expect(engine.skipped.get('late-record')).toBe(1);
  });

  it('keeps stream time per repartition partition when GROUP BY changes the key', () => {
    // prepare
    const { engine, send } = jsonEngine(VIEWS_BY_PAGE);
    engine.setPartitionCount('clicks', 2);
    const pages = pagesByPartition(2);
    send('clicks', 'u1', { page: pages.first }, 30_000, 0);

    // act: both from source partition 1, but the repartition topic puts them apart
    const otherPartition = send('clicks', 'u2', { page: pages.other }, 1_000, 1);
    const samePartition = send('clicks', 'u2', { page: pages.sameAsFirst }, 1_000, 1);

    // assert
    expect(otherPartition.map((o) => [o.key, o.value])).toEqual([[pages.other, { VIEWS: 1 }]]);
    expect(samePartition).toEqual([]);
    expect(engine.skipped.get('late-record')).toBe(1);
  });

  it('restores per-partition stream times from a snapshot', () => {
    // prepare
    const { engine, send } = jsonEngine(SESSIONS);
    send('clicks', 'u1', { page: '/a' }, 60_000, 0);
    send('clicks', 'u2', { page: '/a' }, 1_000, 1);
    const snapshot = JSON.parse(JSON.stringify(engine.snapshot())) as Record<string, unknown>;
    const restored = jsonEngine(SESSIONS);
    restored.engine.restore(snapshot);

    // act
    const inTime = restored.send('clicks', 'u2', { page: '/b' }, 2_000, 1);
    const late = restored.send('clicks', 'u1', { page: '/b' }, 2_000, 0);

    // assert
    const queryId = restored.engine.queries[0]?.id ?? '';
    expect(snapshot[queryId]).toMatchObject({
      tasks: { '0': { streamTime: 60_000 }, '1': { streamTime: 1_000 } },
    });
    expect(inTime).toEqual([]);
    expect(late).toEqual([]);
    expect(restored.engine.skipped.get('late-record')).toBe(1);
    const closing = restored.send('clicks', 'u2', { page: '/c' }, 30_000, 1);
    expect(closing.map((o) => [o.key, o.window, o.value])).toEqual([
      ['u2', { start: 1_000, end: 2_000 }, { EVENTS: 2 }],
    ]);
  });

  it('refuses a checkpoint of the format before stream time was kept per partition, saying what to do', () => {
    // prepare: that format had one stream time for all partitions and no `tasks`
    const engine = new KsqlEngine();
    engine.executeScript(SESSIONS);
    const queryId = engine.queries[0]?.id ?? '';

    // act + assert
    expect(() =>
      engine.restore({
        [queryId]: { seq: 1, streamTime: 1_000, suppressTime: 1_000, entries: [], buffer: [] },
      }),
    ).toThrow(/older format; delete the application's changelog topic/);
  });
});

describe('default partitioner', () => {
  it("hashes as the Java client's Utils.murmur2", () => {
    // Kafka's own UtilsTest vectors.
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];

    expect(cases.map(([s]) => murmur2(encoder.encode(s)))).toEqual(cases.map(([, h]) => h));
  });

  it('maps a key to toPositive(murmur2) modulo the partition count', () => {
    expect(partitionForKey(encoder.encode('21'), 6)).toBe((-973932308 & 0x7fffffff) % 6);
    expect(partitionForKey(null, 6)).toBe(0);
  });
});
