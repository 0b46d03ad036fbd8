/** Base class of the errors raised at the Lambda edge (configuration, event shape). */
export class FunctionEdgeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FunctionEdgeError';
  }
}

/**
 * The invocation payload is not a Kafka event source mapping event: the function is wired
 * to the wrong trigger, or invoked by hand with a wrong payload.
 */
export class KafkaEventError extends FunctionEdgeError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KafkaEventError';
  }
}
