export {
  type DeadLetter,
  DeadLetterHeader,
  type DeadLetterSource,
  deadLetterHeaders,
  deadLetterOf,
  deadLetterSourceKey,
  MAX_DETAIL_CHARS,
} from './dead-letter.ts';
export type { DeadLetterPublisher } from './dead-letter-publisher.ts';
export { DeadLetterError, DeadLetterPublishError } from './errors.ts';
export {
  deadLetterMessage,
  KafkaDeadLetterPublisher,
  type KafkaSender,
} from './kafka-dead-letter-publisher.ts';
