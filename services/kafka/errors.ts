// kafkajs is CommonJS and spreads its error classes into its exports: Node sees them on the default export only.
import kafkajs from 'kafkajs';
import { AppError } from '../commons/errors.ts';

/**
 * The invocation payload is not a Kafka event source mapping event: the function is wired
 * to the wrong trigger, or invoked by hand with a wrong payload. Not retriable: the same
 * payload fails the same way.
 */
export class KafkaEventError extends AppError {
  readonly code: string = 'KAFKA_EVENT';
}

/** A topic to read does not exist. */
export class TopicMissingError extends AppError {
  readonly code: string = 'TOPIC_MISSING';

  constructor(topic: string, options?: ErrorOptions) {
    super(`topic ${topic} does not exist (is the stack running?)`, options);
  }
}

/** Reading a topic to its end took longer than allowed. */
export class TopicReadTimeoutError extends AppError {
  readonly code: string = 'TOPIC_READ_TIMEOUT';
  override readonly retriable = true;

  constructor(topic: string, timeoutMs: number, options?: ErrorOptions) {
    super(`reading ${topic} to its end took longer than ${timeoutMs} ms`, options);
  }
}

/**
 * The cluster did not answer within a tool's connection deadline: refused, reset, or a host
 * that accepts TCP and never answers (a wrong port, a dead proxy). Names the brokers tried.
 */
export class BrokerUnreachableError extends AppError {
  readonly code: string = 'BROKER_UNREACHABLE';
  override readonly retriable = true;
  readonly brokers: readonly string[];

  constructor(brokers: readonly string[], timeoutMs: number, options?: ErrorOptions) {
    super(
      `cannot reach Kafka at ${brokers.join(', ')} within ${timeoutMs / 1000} s (KAFKA_BROKERS)` +
        (options?.cause instanceof Error ? `: ${options.cause.message}` : ''),
      options,
    );
    this.brokers = brokers;
  }
}

/**
 * The cluster refused the client's SASL credentials (kafkajs' KafkaJSSASLAuthenticationError).
 * Not retriable: the same credentials fail the same way, so the caller stops at once instead of
 * reconnecting in a loop. Names the brokers and the broker's reason (which names the mechanism).
 */
export class KafkaAuthenticationError extends AppError {
  readonly code: string = 'KAFKA_AUTHENTICATION';
  readonly brokers: readonly string[];

  constructor(brokers: readonly string[], options: ErrorOptions & { cause: Error }) {
    super(
      `Kafka at ${brokers.join(', ')} refused the credentials: ${options.cause.message} (KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)`,
      options,
    );
    this.brokers = brokers;
  }
}

/** Whether kafkajs failed on authentication (a refused SASL handshake). */
export const isAuthenticationFailure = (error: unknown): error is Error =>
  error instanceof kafkajs.KafkaJSSASLAuthenticationError;

/** Whether kafkajs says a retry can help: its errors carry their own `retriable` (src/errors.js). */
export const isRetriableKafkaError = (error: unknown): boolean =>
  error instanceof kafkajs.KafkaJSError && error.retriable;
