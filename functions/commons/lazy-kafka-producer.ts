import kafkajs, {
  type Kafka,
  Partitioners,
  type Producer,
  type ProducerRecord,
  type RecordMetadata,
} from 'kafkajs';

/** Options of a {@link LazyKafkaProducer}. */
export interface LazyKafkaProducerOptions {
  /**
   * After this long without a send, the connection is presumed dead and is reopened before
   * the next send. A Lambda instance is frozen between invocations and cannot see its
   * sockets being closed meanwhile: a NAT gateway drops a TCP flow idle for 350 s
   * (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html#nat-gateway-troubleshooting-timeout)
   * and Kafka brokers close connections idle for `connections.max.idle.ms` (10 min).
   */
  readonly maxIdleMs: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

// KafkaJSConnectionClosedError extends KafkaJSConnectionError.
const CONNECTION_ERRORS = [kafkajs.KafkaJSConnectionError, kafkajs.KafkaJSRequestTimeoutError] as const;

/** Whether an error, or one of its causes, says the connection itself is broken. */
const isConnectionFailure = (error: unknown): boolean => {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth += 1) {
    if (CONNECTION_ERRORS.some((type) => current instanceof type)) return true;
    current = current.cause;
  }
  return false;
};

/**
 * A kafkajs producer made for Lambda: built once per instance, connected on first use
 * (an instance that never dead-letters never connects), reused by every invocation, and
 * reconnected when its connection went stale while the instance was frozen.
 */
export class LazyKafkaProducer {
  readonly #producer: Producer;
  readonly #maxIdleMs: number;
  readonly #now: () => number;
  #connection: Promise<void> | undefined;
  #lastUsedAt = 0;
  #connects = 0;

  constructor(kafka: Kafka, options: LazyKafkaProducerOptions) {
    // The dead-letter topic must exist: auto-creating it would hide a misconfiguration.
    // The default partitioner is murmur2, the Java client's: a key lands on the partition
    // any other Kafka client would choose.
    // Idempotent (acks=all, one request in flight): a retried send never duplicates or
    // reorders records. kafkajs retries an idempotent producer without end by default, which
    // would only run into the function's timeout: a few retries, then the batch fails and the
    // event source mapping retries it.
    this.#producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 5 },
    });
    this.#maxIdleMs = options.maxIdleMs;
    this.#now = options.now ?? Date.now;
    this.#producer.on(this.#producer.events.DISCONNECT, () => {
      this.#connection = undefined;
    });
  }

  /** How many times this producer opened its connection: 1 on a healthy warm instance. */
  get connectCount(): number {
    return this.#connects;
  }

  /**
   * Sends like kafkajs' `Producer.send`, connecting first if needed. If the connection
   * turns out to be broken, reconnects and sends once more; any other error is thrown.
   */
  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    // Only a connection that has been open and used can go stale; one still opening (a
    // concurrent send's) must be awaited, not torn down.
    if (
      this.#connection !== undefined &&
      this.#lastUsedAt !== 0 &&
      this.#now() - this.#lastUsedAt > this.#maxIdleMs
    ) {
      await this.#reset();
    }
    await this.#connect();
    try {
      return await this.#producer.send(record);
    } catch (error) {
      if (!isConnectionFailure(error)) throw error;
      await this.#reset();
      await this.#connect();
      return await this.#producer.send(record);
    } finally {
      this.#lastUsedAt = this.#now();
    }
  }

  /** Closes the connection, if open. The next send opens a new one. */
  async disconnect(): Promise<void> {
    await this.#reset();
  }

  #connect(): Promise<void> {
    this.#connection ??= this.#producer.connect().then(
      () => {
        this.#connects += 1;
        this.#lastUsedAt = this.#now();
      },
      (error: unknown) => {
        this.#connection = undefined;
        throw error;
      },
    );
    return this.#connection;
  }

  async #reset(): Promise<void> {
    this.#connection = undefined;
    this.#lastUsedAt = 0;
    await this.#producer.disconnect().catch(() => {
      // Closing a connection that is already dead may fail; it is being replaced anyway.
    });
  }
}
