import { ClickstreamSimulation, recommendedUsers } from '../../../load-generator/simulation.ts';

/** One input record of the differential test: Kafka key, JSON value, timestamp. */
export interface InputRecord {
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
}

/** The user and page of the records that close every window; their own windows are not compared. */
export const FLUSH_USER = 'zz-flush';
export const FLUSH_PATH = '/flush';

/** The session gap and grace both engines are given (SESSION_GAP, SESSION_GRACE). */
export const SESSION_GAP_MS = 10_000;
export const SESSION_GRACE_MS = 2_000;

/**
 * Kafka Streams' session store for EMIT FINAL keeps `gap + grace` of session ends by default
 * (ksql/V000003 sets a longer RETENTION, so the project's own statements are safe either way), in segments
 * of `max(retention / 2, 60 s)` (SessionStoreMaterializer, RocksDbTimeOrderedSessionBytesStoreSupplier),
 * and a put drops the segments that fell out of retention *before* the same record's emit reads the
 * closed sessions (KStreamSessionWindowAggregate.process: `store.put`, then
 * `maybeForwardFinalResult`; KeyValueSegments.getOrCreateSegmentIfLive → cleanupExpiredSegments).
 * A record that moves stream time minutes ahead therefore drops every session still open with
 * its segment: ksqlDB never emits them, where Flink's watermark closes them. So the input is
 * closed in two steps: first a record just far enough on to close every session (its put drops
 * no segment that holds one, as the last event lies past the first `gap + grace` of its minute),
 * then one 15 minutes on for the other windows.
 */
const SEGMENT_MS = 60_000;

/**
 * A recorded load-generator stream (fixed seed and start time, no bad records), disordered on
 * purpose: every 37th record swaps with the one 5 places on (out of order, within the grace
 * periods), and every 211th is moved 25 s of event time later (late for windows that closed,
 * on time for others). Two last records close every window in both engines (see SEGMENT_MS).
 */
export const recordedInput = (count: number): InputRecord[] => {
  const simulation = new ClickstreamSimulation({
    seed: 27,
    startTime: Date.parse('2026-01-05T10:00:00Z'),
    rate: 50,
    users: recommendedUsers(50, 0.05, 10_000),
    botShare: 0.05,
    badRate: 0,
    sessionGapMs: 20_000,
  });
  const records: InputRecord[] = simulation
    .take(count)
    .map((r) => ({ key: r.key, value: r.value.toString('utf8'), timestamp: r.timestamp }));
  for (let i = 0; i + 5 < records.length; i += 37) {
    const a = records[i] as InputRecord;
    records[i] = records[i + 5] as InputRecord;
    records[i + 5] = a;
  }
  for (let i = 211; i < records.length; i += 211) {
    const [moved] = records.splice(i, 1) as [InputRecord];
    let to = i;
    while (to < records.length && (records[to] as InputRecord).timestamp < moved.timestamp + 25_000) to++;
    records.splice(to, 0, moved);
  }
  const latest = Math.max(...records.map((r) => r.timestamp));
  const closesSessions = SESSION_GAP_MS + SESSION_GRACE_MS + 1;
  if (latest % SEGMENT_MS < closesSessions) {
    throw new Error(
      `the recorded input's last event must lie past the first ${closesSessions} ms of its minute`,
    );
  }
  records.push(flushRecord(latest + closesSessions, 1), flushRecord(latest + 15 * 60_000, 2));
  return records;
};

const flushRecord = (last: number, n: number): InputRecord => ({
  key: FLUSH_USER,
  timestamp: last,
  value: JSON.stringify({
    schemaVersion: 2,
    eventId: `00000000-0000-4000-8000-00000000002${n}`,
    type: 'page_view',
    userId: FLUSH_USER,
    sessionId: 'flush',
    eventTime: last,
    page: { path: FLUSH_PATH, title: 'flush', referrer: null },
    product: null,
    order: null,
    query: null,
    userAgent: 'differential-test',
    ip: '127.0.0.1',
    utm: { source: null, medium: null, campaign: null },
  }),
});
