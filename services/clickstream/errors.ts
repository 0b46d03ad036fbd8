import { AppError } from '../commons/errors.ts';

/** Base class of the clickstream model's errors. */
export class ClickstreamError extends AppError {
  readonly code: string = 'CLICKSTREAM';
}

/** Why a record could not be decoded; also the `reason` header on the dead-letter topic. */
export const DecodeFailure = {
  /** The value is not UTF-8 JSON. */
  MalformedJson: 'MALFORMED_JSON',
  /** An Avro value (EventRecordFormat SOURCE) that does not decode with the event's schema. */
  MalformedAvro: 'MALFORMED_AVRO',
  /** Valid JSON, but not a clickstream event of a known version. */
  SchemaInvalid: 'SCHEMA_INVALID',
  /** Larger than the accepted record size. */
  Oversized: 'OVERSIZED',
  /** No value at all (a tombstone on the events topic). */
  EmptyValue: 'EMPTY_VALUE',
  /**
   * `eventTime` too far before or after the record's Kafka timestamp (EVENT_TIME_MAX_PAST_DAYS,
   * EVENT_TIME_MAX_FUTURE_DAYS): a clock that is wrong, or an event crafted to land in a
   * bucket that has expired or does not exist yet.
   */
  EventTimeOutOfRange: 'EVENT_TIME_OUT_OF_RANGE',
} as const;
export type DecodeFailure = (typeof DecodeFailure)[keyof typeof DecodeFailure];

/**
 * A record that can never become a valid event, whatever the retries: a poison record.
 * The caller routes it to the dead-letter topic with {@link reason} and {@link detail}
 * and moves on.
 */
export class EventDecodeError extends ClickstreamError {
  override readonly code: string = 'EVENT_DECODE';
  readonly reason: DecodeFailure;
  readonly detail: string;

  constructor(reason: DecodeFailure, detail: string, options?: ErrorOptions) {
    super(`cannot decode clickstream event (${reason}): ${detail}`, options);
    this.reason = reason;
    this.detail = detail;
  }
}
