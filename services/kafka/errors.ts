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
