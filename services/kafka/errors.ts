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
