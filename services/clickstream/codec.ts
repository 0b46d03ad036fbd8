import type { z } from 'zod';
import { DecodeFailure, EventDecodeError } from './errors.ts';
import { type ClickstreamEvent, ClickstreamEventSchema } from './event.ts';

/**
 * The largest event value accepted, in bytes. A real event is well under 2 KiB; anything
 * this large is a bug or an attack upstream, and would only bloat every downstream batch.
 */
export const MAX_EVENT_BYTES = 16 * 1024;

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
export const decodeEvent = (value: Buffer | string | null | undefined): ClickstreamEvent => {
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
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    throw new EventDecodeError(DecodeFailure.MalformedJson, (error as Error).message, { cause: error });
  }
  const parsed = ClickstreamEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new EventDecodeError(DecodeFailure.SchemaInvalid, describeIssues(parsed.error), {
      cause: parsed.error,
    });
  }
  return parsed.data;
};

const describeIssues = (error: z.ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ') + (error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '');
