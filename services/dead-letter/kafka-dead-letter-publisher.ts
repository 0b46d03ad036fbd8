import type { Message, ProducerRecord } from 'kafkajs';
import { type DeadLetter, deadLetterHeaders } from './dead-letter.ts';
import type { DeadLetterPublisher } from './dead-letter-publisher.ts';
import { DeadLetterPublishError } from './errors.ts';

/** What the adapter needs from a Kafka producer: one `send`, as kafkajs' `Producer` has. */
export interface KafkaSender {
  send(record: ProducerRecord): Promise<unknown>;
}

/** Builds the Kafka message of a dead letter: original key and value bytes, reason headers. */
export const deadLetterMessage = (letter: DeadLetter): Message => ({
  key: letter.key,
  value: letter.value,
  headers: deadLetterHeaders(letter),
});

/**
 * Writes dead letters to a Kafka topic, all of a batch in one produce request, waiting for
 * every in-sync replica (`acks: -1`) so that an acknowledged dead letter survives a
 * broker failure.
 */
export class KafkaDeadLetterPublisher implements DeadLetterPublisher {
  readonly #sender: KafkaSender;
  readonly #topic: string;

  constructor(sender: KafkaSender, topic: string) {
    this.#sender = sender;
    this.#topic = topic;
  }

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    try {
      await this.#sender.send({ topic: this.#topic, acks: -1, messages: letters.map(deadLetterMessage) });
    } catch (error) {
      throw new DeadLetterPublishError(`could not write ${letters.length} dead letter(s) to ${this.#topic}`, {
        cause: error,
      });
    }
  }
}
