/**
 * A stand-in for one task of Confluent's AWS Lambda Sink connector: the I/O shell around
 * invocation-plan.ts. It reads the topics in the consumer group a Kafka Connect sink uses
 * (`connect-<connector name>`, from the earliest offset when the group is new), cuts each
 * partition's records into invocations of `aws.lambda.batch.size`, invokes the bundled
 * function with the connector's payload, and commits offsets as Connect does: every
 * `offset.flush.interval.ms` (60 s by default) and when the task stops.
 *
 * Invocation types, as Confluent documents them
 * (https://docs.confluent.io/kafka-connectors/aws-lambda/current/overview.html,
 * https://docs.confluent.io/cloud/current/connectors/cc-aws-lambda-sink.html):
 * - sync (RequestResponse): a partition's records in order, partitions in parallel; a failed
 *   invocation is handled by `behavior.on.error`: `fail` stops the task (nothing after its
 *   last flush is committed), `log` writes the batch's records to the error topic and goes
 *   on, `ignore` goes on.
 * - async (Event): fire and forget, the offsets move on at once; Lambda retries a failed
 *   invocation twice (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html),
 *   then hands the event to the function's on-failure destination, which here is counted and
 *   logged, not replayed.
 */
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { AppError } from '../../services/commons/errors.ts';
import { type SourceRecord, sourceId, sourceRecordOfMessage } from '../../services/kafka/record.ts';
import type { ToolLog } from '../../tooling/logger.ts';
import type { FunctionPool } from '../esm/function-pool.ts';
import type { SinkConnectorSettings } from './connector-config.ts';
import { PAYLOAD_LIMIT_BYTES, type PlannedInvocation, planInvocations } from './invocation-plan.ts';

/** Kafka Connect's `offset.flush.interval.ms` default. */
export const OFFSET_FLUSH_INTERVAL_MS = 60_000;
/** Lambda's retries of a failed asynchronous invocation. */
const ASYNC_RETRIES = 2;
/**
 * Asynchronous events waiting in Lambda's queue run as the function's concurrency allows; the
 * stand-in runs at most this many at once (a laptop has no account concurrency to share).
 */
const ASYNC_CONCURRENCY = 4;

/** The task's figures. */
export interface SinkTaskStats {
  readonly invocations: number;
  readonly failedInvocations: number;
  readonly records: number;
  /** Records written to the error topic: batches skipped by `log`, values the converter refused. */
  readonly errorRecords: number;
  readonly asyncRetries: number;
  /** Records of async invocations that failed three times (the function's on-failure destination). */
  readonly asyncDropped: number;
  readonly maxBatch: number;
  /** The last invocation error, if any. */
  readonly lastError: string | undefined;
  readonly state: 'running' | 'failed' | 'stopped';
}

export interface SinkTaskOptions {
  readonly settings: SinkConnectorSettings;
  readonly kafka: Kafka;
  readonly pool: FunctionPool;
  readonly log: ToolLog;
  readonly offsetFlushIntervalMs?: number;
  /** Delay before each async retry (Lambda's are about 1 and 2 minutes). */
  readonly asyncRetryDelayMs?: number;
  readonly sessionTimeoutMs?: number;
}

/** The task failed (`behavior.on.error: fail`): restart it to resume from its last committed offsets. */
export class SinkTaskFailedError extends AppError {
  readonly code: string = 'SINK_TASK_FAILED';
}

/** One running connector task. */
export class LambdaSinkTask {
  readonly #options: SinkTaskOptions;
  readonly #consumer: Consumer;
  readonly #producer: Producer;
  /** Next offset to commit, per topic-partition. */
  readonly #pending = new Map<string, { topic: string; partition: number; offset: number }>();
  readonly #async = new Set<Promise<void>>();
  /** Lambda's queue of asynchronous events, in the order the connector sent them. */
  readonly #asyncQueue: PlannedInvocation[] = [];
  #asyncRunning = 0;
  readonly #inBatch = new Set<Promise<void>>();
  #state: SinkTaskStats['state'] = 'running';
  #lastError: string | undefined;
  #stopping = false;
  #flushTimer: NodeJS.Timeout | undefined;
  #failure: ((error: SinkTaskFailedError) => void) | undefined;
  readonly failed: Promise<SinkTaskFailedError>;
  #counters = {
    invocations: 0,
    failedInvocations: 0,
    records: 0,
    errorRecords: 0,
    asyncRetries: 0,
    asyncDropped: 0,
    maxBatch: 0,
  };

  constructor(options: SinkTaskOptions) {
    this.#options = options;
    this.#consumer = options.kafka.consumer({
      // Kafka Connect's sink consumer group: "connect-" + the connector's name.
      groupId: `connect-${options.settings.name}`,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 10_000) / 3)),
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
    });
    this.#producer = options.kafka.producer({ allowAutoTopicCreation: true });
    this.failed = new Promise((resolve) => {
      this.#failure = resolve;
    });
  }

  /** Joins the group and starts consuming. */
  async start(): Promise<void> {
    const { settings } = this.#options;
    await this.#producer.connect();
    await this.#consumer.connect();
    for (const topic of settings.topics) await this.#consumer.subscribe({ topic, fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      // Resolving moves the fetch position only; what is committed is #pending's (Connect's flush).
      eachBatchAutoResolve: true,
      // One partition's invocation at a time per task: Confluent's "records within different
      // topic partitions can be processed in parallel" is a may; more parallelism is more tasks
      // (tasks.max), and one environment per task keeps a laptop's cold starts few.
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.#track(this.#eachBatch(payload)),
    });
    this.#flushTimer = setInterval(() => {
      this.#flush().catch(() => {});
    }, this.#options.offsetFlushIntervalMs ?? OFFSET_FLUSH_INTERVAL_MS);
    this.#flushTimer.unref();
    this.#options.log.info('connector task started', {
      connector: settings.name,
      consumerGroupId: `connect-${settings.name}`,
      topics: settings.topics,
      invocationType: settings.invocationType,
      batchSize: settings.batchSize,
      behaviorOnError: settings.behaviorOnError,
      valueFormat: settings.valueFormat,
    });
  }

  #track(work: Promise<void>): Promise<void> {
    this.#inBatch.add(work);
    return work.finally(() => this.#inBatch.delete(work));
  }

  async #eachBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    if (this.#stopping || this.#state !== 'running') return;
    const { settings } = this.#options;
    const records = batch.messages.map((message) =>
      sourceRecordOfMessage(batch.topic, batch.partition, message),
    );
    const plan = planInvocations(records, settings.batchSize, settings.valueFormat);
    for (const { record, reason } of plan.unconverted)
      await this.#toErrorTopic([record], 'CONVERSION_FAILED', reason);
    for (const invocation of plan.invocations) {
      if (this.#stopping || this.#state !== 'running') return;
      if (settings.invocationType === 'async') this.#invokeAsync(invocation);
      else if (!(await this.#invokeSync(invocation))) return;
      this.#advance(invocation.records.at(-1));
      await heartbeat();
    }
    // Records set aside after the last invocation are done too.
    if (plan.unconverted.length > 0) this.#advance(records.at(-1));
  }

  #advance(record: SourceRecord | undefined): void {
    if (record === undefined) return;
    this.#pending.set(sourceId(record.topic, record.partition), {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset + 1,
    });
  }

  #count(invocation: PlannedInvocation): void {
    this.#counters.invocations += 1;
    this.#counters.records += invocation.records.length;
    this.#counters.maxBatch = Math.max(this.#counters.maxBatch, invocation.records.length);
  }

  async #invoke(invocation: PlannedInvocation, limit: number): Promise<void> {
    if (invocation.payloadBytes > limit) {
      // What Lambda answers to an oversized request (RequestTooLargeException, HTTP 413).
      throw new Error(
        `RequestTooLargeException: payload of ${invocation.payloadBytes} bytes is over ${limit}`,
      );
    }
    await this.#options.pool.invoke(invocation.payload);
  }

  /** True when the task may go on. */
  async #invokeSync(invocation: PlannedInvocation): Promise<boolean> {
    this.#count(invocation);
    try {
      await this.#invoke(invocation, PAYLOAD_LIMIT_BYTES.sync);
      return true;
    } catch (error) {
      this.#counters.failedInvocations += 1;
      const reason = error instanceof Error ? error.message : String(error);
      this.#lastError = reason;
      const { behaviorOnError } = this.#options.settings;
      if (behaviorOnError === 'fail') {
        this.#fail(invocation, reason);
        return false;
      }
      if (behaviorOnError === 'log') await this.#toErrorTopic(invocation.records, 'LAMBDA_ERROR', reason);
      this.#options.log.warn('invocation failed; the connector skips its records', {
        behaviorOnError,
        reason,
      });
      return true;
    }
  }

  #fail(invocation: PlannedInvocation, reason: string): void {
    this.#state = 'failed';
    const first = invocation.records[0];
    const error = new SinkTaskFailedError(
      `the function failed on ${first === undefined ? 'a batch' : `${sourceId(first.topic, first.partition)}@${first.offset}`} and behavior.on.error is fail: ${reason}`,
    );
    this.#options.log.error('connector task failed', { reason, records: invocation.records.length });
    this.#failure?.(error);
  }

  #invokeAsync(invocation: PlannedInvocation): void {
    this.#count(invocation);
    this.#asyncQueue.push(invocation);
    this.#drainAsyncQueue();
  }

  #drainAsyncQueue(): void {
    while (this.#asyncRunning < ASYNC_CONCURRENCY) {
      const next = this.#asyncQueue.shift();
      if (next === undefined) return;
      this.#asyncRunning += 1;
      const running = this.#runAsync(next).finally(() => {
        this.#asyncRunning -= 1;
        this.#async.delete(running);
        this.#drainAsyncQueue();
      });
      this.#async.add(running);
    }
  }

  async #runAsync(invocation: PlannedInvocation): Promise<void> {
    const delay = this.#options.asyncRetryDelayMs ?? 1000;
    for (let tries = 0; ; tries += 1) {
      try {
        await this.#invoke(invocation, PAYLOAD_LIMIT_BYTES.async);
        return;
      } catch (error) {
        this.#counters.failedInvocations += 1;
        const reason = error instanceof Error ? error.message : String(error);
        this.#lastError = reason;
        if (tries >= ASYNC_RETRIES) {
          this.#counters.asyncDropped += invocation.records.length;
          this.#options.log.error('async invocation failed three times: to the on-failure destination', {
            records: invocation.records.length,
            reason,
          });
          return;
        }
        this.#counters.asyncRetries += 1;
        this.#options.log.warn('async invocation failed; Lambda retries it', { attempt: tries + 1, reason });
        await new Promise((wake) => setTimeout(wake, delay * (tries + 1)));
      }
    }
  }

  /** Connect's error reporting: the record as it was, the reason and its coordinates in headers. */
  async #toErrorTopic(records: readonly SourceRecord[], reason: string, detail: string): Promise<void> {
    this.#counters.errorRecords += records.length;
    await this.#producer.send({
      topic: this.#options.settings.errorTopic,
      messages: records.map((record) => ({
        key: record.key,
        value: record.value,
        headers: {
          'error-reason': reason,
          'error-detail': detail.slice(0, 1000),
          'source-topic': record.topic,
          'source-partition': String(record.partition),
          'source-offset': String(record.offset),
        },
      })),
    });
  }

  async #flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const offsets = [...this.#pending];
    await this.#consumer.commitOffsets(
      offsets.map(([, o]) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
    );
    // Only what was committed leaves the pending set: a failed commit is tried again next flush.
    for (const [key, committed] of offsets) {
      if (this.#pending.get(key) === committed) this.#pending.delete(key);
    }
  }

  /** Stops fetching, waits for the invocations in flight, commits (unless failed) and leaves. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#flushTimer);
    await Promise.allSettled([...this.#inBatch]);
    while (this.#async.size > 0) await Promise.allSettled([...this.#async]);
    // A failed task commits nothing more: what it had not flushed is delivered again.
    if (this.#state === 'running') {
      await this.#flush().catch((error: unknown) => {
        this.#options.log.warn('offset commit failed; those records will be delivered again', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
      this.#state = 'stopped';
    }
    await this.#consumer.disconnect().catch(() => {});
    await this.#producer.disconnect().catch(() => {});
  }

  /** Figures so far. */
  stats(): SinkTaskStats {
    return { ...this.#counters, lastError: this.#lastError, state: this.#state };
  }
}
