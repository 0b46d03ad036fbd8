import { describe, expect, it } from 'vitest';
import { jsonEngine } from './engine-helpers.ts';

// Kafka Streams' KStreamSessionWindowAggregate.process writes the record's session (store.put)
// before maybeForwardFinalResult emits the closed ones, and the write drops the store segments
// older than stream time − retention (KeyValueSegments.getOrCreateSegmentIfLive →
// cleanupExpiredSegments; segments are max(retention / 2, 60 s) wide). ksql/V000003 sets
// RETENTION for this reason.
const sessions = (window: string) =>
  jsonEngine(`CREATE STREAM s (u STRING KEY, v INT) WITH (KAFKA_TOPIC='in', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE t WITH (KAFKA_TOPIC='out', PARTITIONS=1) AS SELECT u, COUNT(*) AS n FROM s
  WINDOW SESSION (${window}) GROUP BY u EMIT FINAL;`);

// 20 s into a minute, then ten minutes on: the jump a quiet partition makes when traffic resumes.
const BASE = 1_796_700_000_000 + 20_000;
const JUMP = 600_000;

describe('EMIT FINAL session windows when stream time jumps ahead', () => {
  it('drops the sessions still open, unwritten, with the default retention (gap + grace)', () => {
    // Prepare
    const { send } = sessions('30 SECONDS, GRACE PERIOD 5 SECONDS');
    send('in', 'a', { v: 1 }, BASE);
    send('in', 'b', { v: 1 }, BASE + 500);

    // Act
    const written = send('in', 'c', { v: 1 }, BASE + JUMP);

    // Assert
    expect(written).toEqual([]);
  });

  it('writes them when the retention outlasts the jump', () => {
    // Prepare
    const { send } = sessions('30 SECONDS, RETENTION 1 HOUR, GRACE PERIOD 5 SECONDS');
    send('in', 'a', { v: 1 }, BASE);
    send('in', 'b', { v: 1 }, BASE + 500);

    // Act
    const written = send('in', 'c', { v: 1 }, BASE + JUMP);

    // Assert
    expect(written.map((r) => [r.key, r.window, r.value])).toEqual([
      ['a', { start: BASE, end: BASE }, { N: 1 }],
      ['b', { start: BASE + 500, end: BASE + 500 }, { N: 1 }],
    ]);
  });
});
