import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { type AggregationDependencies, aggregateBatch } from '../../services/aggregation/index.ts';
import { sourceRecordOfMessage } from '../../services/kafka/record.ts';

/** Options of a {@link ServerConsumer}. */
export interface ServerConsumerOptions {
  readonly groupId: string;
  readonly topic: string;
  /** Partitions processed at once (kafkajs `partitionsConsumedConcurrently`). */
  readonly concurrency: number;
  /** Most records per `aggregateBatch` call: a fetched batch is cut into batches of this size. */
  readonly maxBatchSize: number;
  readonly dependencies: AggregationDependencies;
}

/**
 * The server-based alternative to the event source mapping: a long-running kafkajs
 * consumer-group member that runs the same `aggregateBatch` on each fetched batch and
 * commits the batch's offsets once it has been aggregated (at-least-once, like the
 * mapping; the aggregation's watermarks make it effectively once). What kafkajs fetches
 * for a partition (up to 1 MB) is cut into batches of at most `maxBatchSize` — the
 * mapping's BatchSize in the benchmark, so that both paths send the same DynamoDB
 * requests — and several partitions are processed at once.
 */
export class ServerConsumer {
  readonly #consumer: Consumer;
  readonly #options: ServerConsumerOptions;
  readonly #committed = new Map<number, number>();
  #batches = 0;
  #records = 0;
  #failure: unknown;

  constructor(kafka: Kafka, options: ServerConsumerOptions) {
    this.#options = options;
    this.#consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  }

  /** Joins the group and starts consuming the topic from its beginning. */
  async start(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topic: this.#options.topic, fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.#options.concurrency,
      eachBatch: (payload) => this.#process(payload),
    });
  }

  /** Records whose offsets are committed, over all partitions (the topic is fresh: offsets start at 0). */
  get committedRecords(): number {
    let sum = 0;
    for (const next of this.#committed.values()) sum += next;
    return sum;
  }

  /** Batches aggregated and records seen, for the mean batch size. */
  get batches(): { count: number; records: number } {
    return { count: this.#batches, records: this.#records };
  }

  /** The first error a batch raised (the run is then invalid), if any. */
  get failure(): unknown {
    return this.#failure;
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }

  async #process({ batch, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { maxBatchSize } = this.#options;
    for (let from = 0; from < batch.messages.length; from += maxBatchSize) {
      if (!isRunning() || isStale()) return;
      const messages = batch.messages.slice(from, from + maxBatchSize);
      const last = messages.at(-1);
      if (last === undefined) return;
      const records = messages.map((message) => sourceRecordOfMessage(batch.topic, batch.partition, message));
      try {
        await aggregateBatch(records, this.#options.dependencies);
      } catch (error) {
        this.#failure ??= error;
        throw error;
      }
      const next = Number(last.offset) + 1;
      await this.#consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: String(next) },
      ]);
      this.#committed.set(batch.partition, next);
      this.#batches += 1;
      this.#records += records.length;
    }
  }
}
