/** Base class of the errors raised at the Lambda edge (configuration, event shape). */
export class FunctionEdgeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FunctionEdgeError';
  }
}

/**
 * The environment is missing or has a wrong setting. Raised at start-up (module load), so
 * the function fails on its first invocation with a message naming the variable; fix the
 * deployment configuration, a retry cannot help.
 */
export class ConfigError extends FunctionEdgeError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
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
