import { AppError } from '../../services/commons/errors.ts';

/** Base class of the local Kafka launcher's errors. */
export class LocalKafkaError extends AppError {
  readonly code: string = 'LOCAL_KAFKA';
}

/** A tool the local broker needs (Java 17+, Maven) is missing; the message says what to install. */
export class MissingPrerequisiteError extends LocalKafkaError {
  override readonly code: string = 'KAFKA_MISSING_PREREQUISITE';
}

/** The broker process exited or did not answer in time; the message carries its log tail. */
export class BrokerStartError extends LocalKafkaError {
  override readonly code: string = 'BROKER_START';
}
