import { describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../../../load-generator/kafka-sender.ts';
import { type RecordSink, type RecordSource, runPaced } from '../../../load-generator/paced-run.ts';
import { rateProfile } from '../../../load-generator/rate-profile.ts';

/** A source numbering its records, and a sink whose every send takes `sendMs` of a virtual clock. */
const harness = (sendMs: number) => {
  let clock = 0;
  let next = 0;
  const batches: number[][] = [];
  const source: RecordSource = {
    take: (count) =>
      Array.from(
        { length: count },
        (): OutgoingRecord => ({
          key: 'k',
          value: Buffer.from(String(next)),
          timestamp: String(next++),
          kind: 'valid',
        }),
      ),
  };
  const sink: RecordSink = {
    send: async (records) => {
      batches.push(records.map((record) => Number(record.timestamp)));
      clock += sendMs;
    },
    flush: async () => {},
  };
  return { source, sink, batches, now: () => clock, tick: (ms: number) => (clock += ms) };
};

describe('runPaced', () => {
  it('sends exactly the total, in order, in batches of what came due', async () => {
    // Prepare: 1000 records/s and 10 ms per send → about 10 records per batch.
    const { source, sink, batches, now } = harness(10);

    // Act
    const result = await runPaced(source, sink, {
      profile: rateProfile({ rate: 1000 }),
      total: 500,
      batchSize: 100,
      signal: new AbortController().signal,
      now,
    });

    // Assert
    expect(result).toMatchObject({ produced: 500, interrupted: false });
    expect(batches.flat()).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(Math.max(...batches.slice(1).map((batch) => batch.length))).toBeLessThanOrEqual(11);
  });

  it('follows a burst profile: the burst rate inside a burst, the steady rate outside', async () => {
    // Prepare: 1,000/s steady, 10,000/s for the last 2 s of every 5 s; 5 ms per send, so
    // something is always due on the virtual clock.
    const { source, sink, batches, now } = harness(5);
    const sentAt: number[] = [];
    const timedSink: RecordSink = {
      send: async (records) => {
        for (const _ of records) sentAt.push(now());
        await sink.send(records);
      },
      flush: sink.flush,
    };
    const profile = rateProfile({ rate: 1000, burst: { rate: 10_000, seconds: 2, everySeconds: 5 } });

    // Act: two periods' worth, 2 × (3,000 + 20,000) records.
    await runPaced(source, timedSink, {
      profile,
      total: 46_000,
      batchSize: 100,
      signal: new AbortController().signal,
      now,
    });

    // Assert: per second of the run, what was sent, within one burst send (50 records).
    const perSecond = Array.from(
      { length: 10 },
      (_, s) => sentAt.filter((t) => t >= s * 1000 && t < (s + 1) * 1000).length,
    );
    expect(batches.flat()).toHaveLength(46_000);
    expect(perSecond.slice(0, 3).every((n) => Math.abs(n - 1000) <= 60)).toBe(true);
    expect(perSecond.slice(3, 5).every((n) => Math.abs(n - 10_000) <= 60)).toBe(true);
    expect(perSecond.slice(5, 8).every((n) => Math.abs(n - 1000) <= 60)).toBe(true);
    expect(perSecond.slice(8, 10).every((n) => Math.abs(n - 10_000) <= 60)).toBe(true);
  });

  it('catches up after a stall in batches no larger than batchSize', async () => {
    // Prepare: each send stalls for 1 s, a thousand records' worth.
    const { source, sink, batches, now } = harness(1000);

    // Act
    await runPaced(source, sink, {
      profile: rateProfile({ rate: 1000 }),
      total: 3000,
      batchSize: 250,
      signal: new AbortController().signal,
      now,
    });

    // Assert
    expect(batches.flat()).toHaveLength(3000);
    expect(Math.max(...batches.map((batch) => batch.length))).toBe(250);
  });

  it('stops early when aborted and still flushes', async () => {
    // Prepare
    const { source, batches, now, tick } = harness(10);
    const stop = new AbortController();
    let flushed = false;
    const sink: RecordSink = {
      send: async (records) => {
        batches.push(records.map((record) => Number(record.timestamp)));
        tick(10);
        if (batches.length === 3) stop.abort();
      },
      flush: async () => {
        flushed = true;
      },
    };

    // Act
    const result = await runPaced(source, sink, {
      profile: rateProfile({ rate: 1_000_000 }),
      total: Infinity,
      batchSize: 10,
      signal: stop.signal,
      now,
    });

    // Assert
    expect(batches).toHaveLength(3);
    expect(result).toMatchObject({ produced: batches.flat().length, interrupted: true });
    expect(flushed).toBe(true);
  });
});
