import { describe, expect, it } from 'vitest';
import { KsqlEngine } from '../../../emulators/ksql/engine.ts';
import { splitWindowedKey, windowedKeyBytes } from '../../../emulators/ksql/serde.ts';

/*
 * A null row on a stream — a tombstone written under a windowed key by an upstream table, or
 * any null value — goes through a projection as a tombstone, under its key and window, and
 * never through a filter (ksqlDB's SelectValueMapper maps null to null; SqlPredicate drops it).
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SESSION_SOURCE =
  "CREATE STREAM sessions (user_id STRING KEY, events INT) WITH (KAFKA_TOPIC='sessions', VALUE_FORMAT='JSON', WINDOW_TYPE='SESSION');";

const run = (script: string, inputs: ReadonlyArray<{ value: unknown; start: number; end: number }>) => {
  const engine = new KsqlEngine();
  engine.executeScript(`${SESSION_SOURCE}\n${script}`);
  return inputs.flatMap((input) =>
    engine
      .process({
        topic: 'sessions',
        key: windowedKeyBytes(encoder.encode('u1'), 'SESSION', { start: input.start, end: input.end }),
        value: input.value === null ? null : encoder.encode(JSON.stringify(input.value)),
        timestamp: input.end,
      })
      .map((out) => {
        const split = splitWindowedKey(out.key ?? new Uint8Array(0), 'SESSION', undefined);
        return {
          key: decoder.decode(split.inner),
          window: split.window,
          value: out.value === null ? null : (JSON.parse(decoder.decode(out.value)) as unknown),
          timestamp: out.timestamp,
        };
      }),
  );
};

describe('null rows on a stream', () => {
  it('pass through a projection as tombstones, under their key and window', () => {
    const outputs = run("CREATE STREAM copied WITH (KAFKA_TOPIC='copied') AS SELECT * FROM sessions;", [
      { value: { EVENTS: 3 }, start: 1_000, end: 5_000 },
      { value: null, start: 1_000, end: 5_000 },
      { value: { EVENTS: 4 }, start: 1_000, end: 9_000 },
    ]);
    expect(outputs).toEqual([
      { key: 'u1', window: { start: 1_000, end: 5_000 }, value: { EVENTS: 3 }, timestamp: 5_000 },
      { key: 'u1', window: { start: 1_000, end: 5_000 }, value: null, timestamp: 5_000 },
      { key: 'u1', window: { start: 1_000, end: 9_000 }, value: { EVENTS: 4 }, timestamp: 9_000 },
    ]);
  });

  it('never pass a filter, even one that a row of nulls would satisfy', () => {
    const outputs = run(
      "CREATE STREAM few WITH (KAFKA_TOPIC='few') AS SELECT * FROM sessions WHERE events IS NULL OR events < 10;",
      [
        { value: null, start: 1_000, end: 5_000 },
        { value: { EVENTS: 3 }, start: 1_000, end: 5_000 },
      ],
    );
    expect(outputs.map((out) => out.value)).toEqual([{ EVENTS: 3 }]);
  });
});
