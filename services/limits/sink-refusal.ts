import { AppError } from '../commons/errors.ts';
/**
 * A sink's refusal of one write: an answer no retry can change (the request itself is wrong
 * for the sink, typically a limit of sink-limits.ts not yet guarded), unlike throttling,
 * timeouts and network errors. The writer isolates the records behind it and dead-letters them
 * (reason PROCESSING_FAILED, with the sink's message) so that they cannot stall a partition.
 */
export class SinkRefusedError extends AppError {
  readonly code: string = 'SINK_REFUSED';
}

/**
 * DynamoDB's answers to a request that is invalid as sent
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.MessagesAndCodes):
 * ValidationException covers a key or item too large, a number out of range, an expression too
 * long. The SDK models them only by name (there is no exception class to test against).
 * Throttling (ProvisionedThroughputExceededException, ThrottlingException, RequestLimitExceeded)
 * and InternalServerError are retriable and not listed.
 */
const DYNAMODB_REFUSALS: ReadonlySet<string> = new Set(['ValidationException', 'SerializationException']);

/**
 * Kafka's answers to a produce request no retry changes
 * (https://kafka.apache.org/protocol#protocol_error_codes), as kafkajs names them in `type`.
 */
const KAFKA_REFUSALS: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/** Whether `error`, or one of its causes, is a sink refusing the write (not retriable). */
export const isSinkRefusal = (error: unknown): boolean => {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth += 1) {
    if (current instanceof SinkRefusedError) return true;
    if (DYNAMODB_REFUSALS.has(current.name)) return true;
    const type: unknown = Reflect.get(current, 'type');
    if (typeof type === 'string' && KAFKA_REFUSALS.has(type)) return true;
    current = current.cause;
  }
  return false;
};

/** The message of the sink's own error in a refusal's chain, for the dead letter. */
export const sinkMessageOf = (error: unknown): string => {
  const messages: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth += 1) {
    messages.push(`${current.name}: ${current.message}`);
    current = current.cause;
  }
  return messages.join(' ← ');
};
