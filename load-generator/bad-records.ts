import { type ClickstreamEvent, MAX_EVENT_BYTES } from '../services/clickstream/index.ts';
import type { Random } from './random.ts';

/**
 * What a generated record is. The three bad kinds exercise the consumers' error paths;
 * each maps to the `reason` `decodeEvent` reports for it (MALFORMED_JSON, SCHEMA_INVALID,
 * OVERSIZED).
 */
export const RecordKind = {
  Valid: 'valid',
  MalformedJson: 'malformedJson',
  SchemaInvalid: 'schemaInvalid',
  Oversized: 'oversized',
} as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];
export type BadRecordKind = Exclude<RecordKind, 'valid'>;

export const BAD_RECORD_KINDS: readonly BadRecordKind[] = [
  RecordKind.MalformedJson,
  RecordKind.SchemaInvalid,
  RecordKind.Oversized,
];

// Each is valid JSON that breaks exactly one rule of the schema.
const schemaBreakers: ReadonlyArray<(event: Record<string, unknown>) => void> = [
  (event) => {
    event.type = 'teleport';
  },
  (event) => {
    delete event.userId;
  },
  (event) => {
    event.eventTime = new Date(Number(event.eventTime)).toISOString();
  },
  (event) => {
    event.schemaVersion = 99;
  },
  (event) => {
    event.type = 'add_to_cart';
    event.product = null;
  },
];

/**
 * Turns a valid event into the text of a bad record of the given kind: malformed JSON is the event's
 * JSON cut short (a proper prefix of a JSON object never parses), schema-invalid breaks
 * one rule, oversized pads the event past {@link MAX_EVENT_BYTES}.
 */
export const corruptEvent = (event: ClickstreamEvent, kind: BadRecordKind, random: Random): string => {
  const json = JSON.stringify(event);
  switch (kind) {
    case RecordKind.MalformedJson:
      return json.slice(0, 1 + random.int(json.length - 1));
    case RecordKind.SchemaInvalid: {
      const broken: Record<string, unknown> = { ...event };
      random.pick(schemaBreakers)(broken);
      return JSON.stringify(broken);
    }
    case RecordKind.Oversized: {
      const padding = 'x'.repeat(MAX_EVENT_BYTES - json.length + 1 + random.int(4096));
      return JSON.stringify({ ...event, padding });
    }
  }
};
