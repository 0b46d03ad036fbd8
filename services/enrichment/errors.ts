import { AppError } from '../commons/errors.ts';

/** Base class of the enrichment service's errors. */
export class EnrichmentError extends AppError {
  readonly code: string = 'ENRICHMENT';
}

/**
 * Why a session record cannot be decoded. Stable, machine-readable: the `dlq-reason`
 * header of its dead letter.
 */
export const SessionDecodeFailure = {
  /** A record with a value but no key: a session row is always keyed. */
  KeyMissing: 'SESSION_KEY_MISSING',
  /** Fewer bytes than the 16-byte window suffix plus a non-empty user id. */
  KeyTooShort: 'SESSION_KEY_TOO_SHORT',
  /** The user id part of the key is not valid UTF-8. */
  KeyNotUtf8: 'SESSION_KEY_NOT_UTF8',
  /** The window end is before its start, or either is negative. */
  WindowInvalid: 'SESSION_WINDOW_INVALID',
  /** The value is not JSON. */
  ValueNotJson: 'SESSION_VALUE_NOT_JSON',
  /** The value is JSON but not a session row (a column missing or of the wrong type). */
  ValueSchemaInvalid: 'SESSION_VALUE_SCHEMA_INVALID',
} as const;
export type SessionDecodeFailure = (typeof SessionDecodeFailure)[keyof typeof SessionDecodeFailure];

/**
 * A session record that can never be enriched (a poison record). Not retriable: it goes to
 * the dead-letter topic with its {@link SessionDecodeFailure} and the batch moves on.
 */
export class SessionDecodeError extends EnrichmentError {
  override readonly code: string = 'SESSION_DECODE';

  readonly reason: SessionDecodeFailure;

  constructor(reason: SessionDecodeFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * Enriched events could not be written to Kafka. Retriable: the handler rethrows it, the
 * event source mapping retries the whole batch, and the deterministic event ids let
 * consumers drop what the first attempt had already written.
 */
export class EnrichedEventPublishError extends EnrichmentError {
  override readonly code: string = 'ENRICHED_EVENT_PUBLISH';
  override readonly retriable = true;
}
