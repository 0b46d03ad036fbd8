/** Base class of the local Kafka launcher's errors. */
export class LocalKafkaError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalKafkaError';
  }
}

/** A tool the local broker needs (Java 17+, Maven) is missing; the message says what to install. */
export class MissingPrerequisiteError extends LocalKafkaError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MissingPrerequisiteError';
  }
}

/** The broker process exited or did not answer in time; the message carries its log tail. */
export class BrokerStartError extends LocalKafkaError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BrokerStartError';
  }
}
