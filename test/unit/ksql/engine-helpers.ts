import { KsqlEngine } from '../../../emulators/ksql/engine.ts';
import { splitWindowedKey } from '../../../emulators/ksql/serde.ts';
import { EMIT_INTERVAL_PROPERTY } from '../../../emulators/ksql/window-store.ts';

const encoder = new TextEncoder();

/** Engine properties of unit tests: EMIT FINAL checks for closed windows on every record. */
export const TEST_PROPERTIES = { [EMIT_INTERVAL_PROPERTY]: '0' } as const;
const decoder = new TextDecoder();

/** A decoded output record of a test engine. */
export interface Out {
  topic: string;
  key: string | null;
  window?: { start: number; end: number };
  value: unknown;
  timestamp: number;
}

/**
 * An engine whose inputs are JSON values with STRING keys, and whose outputs come back decoded.
 * `partition` is the source partition of the input (absent: none given, i.e. partition 0).
 * EMIT FINAL tries to emit on every record (emit interval 0), as in ksqlDB's own tests.
 */
export function jsonEngine(script: string): {
  engine: KsqlEngine;
  send: (topic: string, key: string | null, value: unknown, timestamp: number, partition?: number) => Out[];
} {
  const engine = new KsqlEngine({ properties: TEST_PROPERTIES });
  engine.executeScript(script);
  const send = (
    topic: string,
    key: string | null,
    value: unknown,
    timestamp: number,
    partition?: number,
  ): Out[] =>
    engine
      .process({
        topic,
        key: key === null ? null : encoder.encode(key),
        value: value === null ? null : encoder.encode(JSON.stringify(value)),
        timestamp,
        ...(partition === undefined ? {} : { partition }),
      })
      .map((r) => {
        const sink = [...engine.catalog.values()].find((s) => s.topic === r.topic);
        let keyBytes = r.key;
        let window: { start: number; end: number } | undefined;
        if (sink?.window !== undefined && keyBytes !== null) {
          const split = splitWindowedKey(keyBytes, sink.window.kind, sink.window.size);
          keyBytes = split.inner;
          window = split.window;
        }
        return {
          topic: r.topic,
          key: keyBytes === null ? null : decoder.decode(keyBytes),
          ...(window === undefined ? {} : { window }),
          value: r.value === null ? null : (JSON.parse(decoder.decode(r.value)) as unknown),
          timestamp: r.timestamp,
        };
      });
  return { engine, send };
}

/** A clickstream-like source stream with STRING key and JSON value. */
export const PAGEVIEWS_SOURCE =
  "CREATE STREAM clicks (user_id STRING KEY, page STRING, n INT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON');";
