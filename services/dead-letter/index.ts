export {
  boundedDeadLetterMessage,
  DeadLetterCutHeader,
  recordBytes,
} from './bounded-message.ts';
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
  chunkMessages,
  DEFAULT_DEAD_LETTER_TOPIC_LIMITS,
  type DeadLetterTopicLimits,
  deadLetterMessage,
  KafkaDeadLetterPublisher,
  type KafkaSender,
  sendBudgetOf,
} from './kafka-dead-letter-publisher.ts';
