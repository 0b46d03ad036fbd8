/**
 * The invocation payload is not a Kafka event source mapping event: the function is wired
 * to the wrong trigger, or invoked by hand with a wrong payload. Not retriable: the same
 * payload fails the same way.
 */
export class KafkaEventError extends Error {
  readonly retriable = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KafkaEventError';
  }
}

/** A topic to read does not exist. */
export class TopicMissingError extends Error {
  readonly retriable = false;

  constructor(topic: string, options?: ErrorOptions) {
    super(`topic ${topic} does not exist (is the stack running?)`, options);
    this.name = 'TopicMissingError';
  }
}

/** Reading a topic to its end took longer than allowed. */
export class TopicReadTimeoutError extends Error {
  readonly retriable = true;

  constructor(topic: string, timeoutMs: number, options?: ErrorOptions) {
    super(`reading ${topic} to its end took longer than ${timeoutMs} ms`, options);
    this.name = 'TopicReadTimeoutError';
  }
}

/**
 * The cluster did not answer within a tool's connection deadline: refused, reset, or a host
 * that accepts TCP and never answers (a wrong port, a dead proxy). Names the brokers tried.
 */
export class BrokerUnreachableError extends Error {
  readonly retriable = true;
  readonly brokers: readonly string[];

  constructor(brokers: readonly string[], timeoutMs: number, options?: ErrorOptions) {
    super(
      `cannot reach Kafka at ${brokers.join(', ')} within ${timeoutMs / 1000} s (KAFKA_BROKERS)` +
        (options?.cause instanceof Error ? `: ${options.cause.message}` : ''),
      options,
    );
    this.name = 'BrokerUnreachableError';
    this.brokers = brokers;
  }
}

/**
 * The cluster refused the client's SASL credentials (kafkajs' KafkaJSSASLAuthenticationError).
 * Not retriable: the same credentials fail the same way, so the caller stops at once instead of
 * reconnecting in a loop. Names the brokers and the broker's reason (which names the mechanism).
 */
export class KafkaAuthenticationError extends Error {
  readonly retriable = false;
  readonly brokers: readonly string[];

  constructor(brokers: readonly string[], options: ErrorOptions & { cause: Error }) {
    super(
      `Kafka at ${brokers.join(', ')} refused the credentials: ${options.cause.message} (KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)`,
      options,
    );
    this.name = 'KafkaAuthenticationError';
    this.brokers = brokers;
  }
}

/** Whether kafkajs failed on authentication (a refused SASL handshake). */
export const isAuthenticationFailure = (error: unknown): error is Error =>
  error instanceof Error && error.name === 'KafkaJSSASLAuthenticationError';
