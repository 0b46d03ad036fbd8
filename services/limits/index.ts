export {
  boundedKeyPart,
  KEY_DIGEST_SEPARATOR,
  sha256Hex,
  utf8Prefix,
  wellFormed,
} from './bounded-string.ts';
export { DynamoDbLimits, KafkaLimits, type TopicLimits, utf8Bytes } from './sink-limits.ts';
export { isSinkRefusal, SinkRefusedError, sinkMessageOf } from './sink-refusal.ts';
