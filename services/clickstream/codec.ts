import type { z } from 'zod';
import { wellFormed } from '../limits/index.ts';
import { DecodeFailure, EventDecodeError } from './errors.ts';
import { type ClickstreamEvent, ClickstreamEventSchema } from './event.ts';
import { avroToJson, clickstreamEventAvroType } from './event-avro.ts';

/**
 * How a value is encoded: `json` (UTF-8 JSON: what producers write, and what a mapping with
 * EventRecordFormat JSON delivers) or `avro` (Avro binary without the registry header: what a
 * mapping with EventRecordFormat SOURCE delivers for an Avro value).
 */
export type ValueEncoding = 'json' | 'avro';

/**
 * The encoding of a delivered value. A schema registry mapping marks an Avro-written value
 * with `valueSchemaMetadata.dataFormat: AVRO` in both formats; JSON delivers a JSON object
 * (first byte `{`), SOURCE the Avro binary, whose first byte is the zigzag `schemaVersion`.
 *
 * Why not @aws-lambda-powertools/kafka's Avro deserializer: it fixes one deserializer per
 * function, where a mapping marks each record (JSON or SOURCE delivery, above); it needs
 * avro-js, a second Avro library beside avsc (which the load generator writes with); its
 * error message carries the whole value and schema, which a dead letter's detail would
 * repeat; and its JSON path cannot keep this file's reasons (services/kafka/esm-event.ts).
 */
export const valueEncodingOf = (
  value: Buffer | null,
  metadata: { readonly dataFormat: string } | undefined,
): ValueEncoding =>
  metadata?.dataFormat === 'AVRO' && value !== null && value[0] !== 0x7b ? 'avro' : 'json';

/**
 * The largest event value accepted, in bytes. A real event is well under 2 KiB; anything
 * this large is a bug or an attack upstream, and would only bloat every downstream batch.
 */
export const MAX_EVENT_BYTES = 16 * 1024;

/**
 * How far an event's time may be from the time Kafka gives its record. The reference is the
 * record's own timestamp, not the wall clock, so that the verdict is the same on every
 * delivery of the record: a batch redelivered days later does not dead-letter what an earlier
 * delivery already counted.
 */
export interface EventTimeBounds {
  /** The record's Kafka timestamp (epoch ms); undefined when the record has none. */
  readonly referenceTime: number | undefined;
  readonly maxPastMs: number;
  readonly maxFutureMs: number;
}

/** The defaults: a week back (the topic's retention), a day ahead (clock skew). */
export const DEFAULT_MAX_PAST_MS = 7 * 86_400_000;
export const DEFAULT_MAX_FUTURE_MS = 86_400_000;

/** Serialises an event to its Kafka value (UTF-8 JSON). */
export const encodeEvent = (event: ClickstreamEvent): Buffer => Buffer.from(JSON.stringify(event), 'utf8');

/** The Kafka key of an event: its user id, so one user's events stay in order on one partition. */
export const eventKey = (event: Pick<ClickstreamEvent, 'userId'>): string => event.userId;

/**
 * Decodes and validates a Kafka record value.
 *
 * @throws {EventDecodeError} with the precise reason and, for schema errors, every
 *   failing path — a poison record, never worth a retry.
 */
export const decodeEvent = (
  value: Buffer | string | null | undefined,
  bounds?: EventTimeBounds,
  encoding: ValueEncoding = 'json',
): ClickstreamEvent => {
  if (value === null || value === undefined || value.length === 0) {
    throw new EventDecodeError(DecodeFailure.EmptyValue, 'the record has no value');
  }
  const size = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
  if (size > MAX_EVENT_BYTES) {
    throw new EventDecodeError(
      DecodeFailure.Oversized,
      `${size} bytes is more than the ${MAX_EVENT_BYTES} allowed`,
    );
  }
  let json: unknown;
  if (encoding === 'avro') {
    try {
      json = avroToJson(clickstreamEventAvroType, typeof value === 'string' ? Buffer.from(value) : value);
    } catch (error) {
      throw new EventDecodeError(DecodeFailure.MalformedAvro, (error as Error).message, { cause: error });
    }
  } else {
    try {
      // JSON may escape a lone surrogate (`"\ud800"`), which no store can hold: the one rule
      // for strings (services/limits/bounded-string.ts) makes it U+FFFD here, at the boundary,
      // as the UTF-8 decoder already does for Avro's bytes.
      json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'), (_key, field: unknown) =>
        typeof field === 'string' ? wellFormed(field) : field,
      );
    } catch (error) {
      throw new EventDecodeError(DecodeFailure.MalformedJson, (error as Error).message, { cause: error });
    }
  }
  const parsed = ClickstreamEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new EventDecodeError(DecodeFailure.SchemaInvalid, describeIssues(parsed.error), {
      cause: parsed.error,
    });
  }
  const event = parsed.data;
  if (bounds?.referenceTime !== undefined) {
    const earliest = bounds.referenceTime - bounds.maxPastMs;
    const latest = bounds.referenceTime + bounds.maxFutureMs;
    if (event.eventTime < earliest || event.eventTime > latest) {
      throw new EventDecodeError(
        DecodeFailure.EventTimeOutOfRange,
        `eventTime ${event.eventTime} is outside ${earliest}…${latest} (the record's timestamp ${bounds.referenceTime} −${bounds.maxPastMs} ms / +${bounds.maxFutureMs} ms)`,
      );
    }
  }
  return event;
};

const describeIssues = (error: z.ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ') + (error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '');
