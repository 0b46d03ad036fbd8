import { describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../../../load-generator/kafka-sender.ts';
import { type RecordSink, type RecordSource, runPaced } from '../../../load-generator/paced-run.ts';

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
      rate: 1000,
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

  it('catches up after a stall in batches no larger than batchSize', async () => {
    // Prepare: each send stalls for 1 s, a thousand records' worth.
    const { source, sink, batches, now } = harness(1000);

    // Act
    await runPaced(source, sink, {
      rate: 1000,
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
      rate: 1_000_000,
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
