/**
 * What each sink accepts, as data: the one list the guards in the code and the fakes in the
 * tests both read (docs/effectively-once.md, "Limits of the sinks", says which guard holds
 * each one). A limit changes here or nowhere.
 */

/**
 * DynamoDB's limits on what one request may write
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html and
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html).
 */
export const DynamoDbLimits = {
  /** A partition key value: 1 to 2,048 bytes of UTF-8 ("Partition key value" under Attributes). */
  partitionKeyBytes: 2048,
  /** A sort key value: 1 to 1,024 bytes of UTF-8 ("Sort key value"). */
  sortKeyBytes: 1024,
  /** An item, attribute names and values together ("Item size"). */
  itemBytes: 400 * 1024,
  /** Significant digits a Number keeps exactly ("Numbers": up to 38 digits of precision). */
  numberDigits: 38,
  /** Any one expression string: an update, condition or projection ("Expression parameters"). */
  expressionBytes: 4096,
  /** ExpressionAttributeNames plus ExpressionAttributeValues of one request ("Expression parameters"). */
  expressionAttributesBytes: 2 * 1024 * 1024,
  /** An attribute name other than a key's, in UTF-8 bytes ("Attribute names"). */
  attributeNameBytes: 64 * 1024,
  /** Items of one BatchWriteItem request ("BatchWriteItem"). */
  batchWriteItems: 25,
  /** Bytes of one BatchWriteItem request ("BatchWriteItem": 16 MB). */
  batchWriteBytes: 16 * 1024 * 1024,
} as const;

/**
 * Kafka's limits on what one producer may send. A record batch (what one produce request
 * carries for one partition, after compression) may not exceed the topic's
 * `max.message.bytes` (broker default `message.max.bytes`, 1,048,588:
 * https://kafka.apache.org/documentation/#topicconfigs_max.message.bytes), and one produce
 * request may not exceed the producer's `max.request.size` (1,048,576 by default:
 * https://kafka.apache.org/documentation/#producerconfigs_max.request.size); the broker refuses
 * more with MESSAGE_TOO_LARGE (https://kafka.apache.org/protocol#protocol_error_codes).
 */
export const KafkaLimits = {
  /** The broker's default `message.max.bytes`, which a topic's `max.message.bytes` inherits. */
  defaultMaxMessageBytes: 1_048_588,
  /** The Java producer's default `max.request.size`, the bound this project's producers keep. */
  maxRequestBytes: 1_048_576,
  /** A record batch's header (v2 format: https://kafka.apache.org/documentation/#recordbatch). */
  batchOverheadBytes: 61,
  /** A record's own framing at most: its length, attributes, deltas, key, value and header-count varints. */
  recordOverheadBytes: 40,
  /** A header's framing at most: the two length varints. */
  headerOverheadBytes: 10,
} as const;

/** What one topic accepts, read from the cluster at init (its `max.message.bytes`). */
export interface TopicLimits {
  readonly maxMessageBytes: number;
}

/** UTF-8 bytes of a string as a sink stores it (a lone surrogate is written as U+FFFD, 3 bytes). */
export const utf8Bytes = (value: string): number => Buffer.byteLength(value, 'utf8');
