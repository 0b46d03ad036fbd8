import type { Message, ProducerRecord } from 'kafkajs';
import { KafkaLimits } from '../limits/index.ts';
import { boundedDeadLetterMessage, recordBytes } from './bounded-message.ts';
import type { DeadLetter } from './dead-letter.ts';
import type { DeadLetterPublisher } from './dead-letter-publisher.ts';
import { DeadLetterPublishError } from './errors.ts';

/** What the adapter needs from a Kafka producer: one `send`, as kafkajs' `Producer` has. */
export interface KafkaSender {
  send(record: ProducerRecord): Promise<unknown>;
}

/** What the dead-letter topic accepts: its `max.message.bytes`, read at init (describeConfigs). */
export interface DeadLetterTopicLimits {
  readonly maxMessageBytes: number;
}

/** The broker's default, for a topic whose own setting was not read. */
export const DEFAULT_DEAD_LETTER_TOPIC_LIMITS: DeadLetterTopicLimits = {
  maxMessageBytes: KafkaLimits.defaultMaxMessageBytes,
};

/** Room a produce request keeps for its own framing (topic name, partition headers). */
const REQUEST_OVERHEAD_BYTES = 1024;

/**
 * The most one produce request may carry: a record batch per partition must fit the topic's
 * `max.message.bytes`, the whole request the producer's `max.request.size`
 * (services/limits/sink-limits.ts). A send of at most this many record bytes satisfies both
 * whatever partitions its records land on.
 */
export const sendBudgetOf = (limits: DeadLetterTopicLimits): number =>
  Math.min(limits.maxMessageBytes, KafkaLimits.maxRequestBytes) -
  KafkaLimits.batchOverheadBytes -
  REQUEST_OVERHEAD_BYTES;

/** Builds the Kafka message of a dead letter, bounded to what its topic accepts (bounded-message.ts). */
export const deadLetterMessage = (
  letter: DeadLetter,
  limits: DeadLetterTopicLimits = DEFAULT_DEAD_LETTER_TOPIC_LIMITS,
): Message => boundedDeadLetterMessage(letter, sendBudgetOf(limits));

/** Cuts messages, in order, into runs of at most `budget` record bytes each. */
export const chunkMessages = (messages: readonly Message[], budget: number): Message[][] => {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = recordBytes(message);
    if (current.length > 0 && bytes + size > budget) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};

/**
 * Writes dead letters to a Kafka topic, waiting for every in-sync replica (`acks: -1`) so
 * that an acknowledged dead letter survives a broker failure. Every letter is bounded to what
 * the topic accepts, and a batch's letters are sent in as many requests as the broker's
 * limits need, one after the other: no dead letter is ever refused for its size.
 */
export class KafkaDeadLetterPublisher implements DeadLetterPublisher {
  readonly #sender: KafkaSender;
  readonly #topic: string;
  readonly #limits: DeadLetterTopicLimits;

  constructor(
    sender: KafkaSender,
    topic: string,
    limits: DeadLetterTopicLimits = DEFAULT_DEAD_LETTER_TOPIC_LIMITS,
  ) {
    this.#sender = sender;
    this.#topic = topic;
    this.#limits = limits;
  }

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const messages = letters.map((letter) => deadLetterMessage(letter, this.#limits));
    try {
      for (const chunk of chunkMessages(messages, sendBudgetOf(this.#limits))) {
        await this.#sender.send({ topic: this.#topic, acks: -1, messages: chunk });
      }
    } catch (error) {
      throw new DeadLetterPublishError(`could not write ${letters.length} dead letter(s) to ${this.#topic}`, {
        cause: error,
      });
    }
  }
}
