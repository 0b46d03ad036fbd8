/**
 * One Kafka event source mapping at work: a kafkajs consumer in the mapping's own group
 * fills per-partition buffers, the {@link BatchPlanner} decides when a batch is due, the
 * function pool runs it, and offsets are committed only once the batch has succeeded (or
 * its records have been given up on after MaximumRetryAttempts).
 *
 * Lambda scales Kafka event pollers with the offset lag, never past the partition count,
 * and a partition is never in two invocations at once
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html). Here one kafkajs
 * consumer fetches for all assigned partitions and the {@link PollerScaler} decides how many
 * pollers that consumer stands for: their invocation slots (5 each) and bytes per second
 * (5 MB/s each) bound what runs at once.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { isAuthenticationFailure } from '../../services/kafka/errors.ts';
import { buildKafkaEvent, type EventSourceIdentity, toEventRecord } from '../../services/kafka/esm-event.ts';
import {
  type SourceRecord,
  sourceId,
  sourceIdOf,
  sourceRecordOfMessage,
} from '../../services/kafka/record.ts';
import { createSchemaRegistryClient } from '../../services/schema-registry/client.ts';
import { SchemaRegistryError } from '../../services/schema-registry/errors.ts';
import type { ToolLog } from '../../tooling/logger.ts';
import {
  type Batch,
  type BatchOutcome,
  BatchPlanner,
  type BufferedRecord,
  type Commit,
} from './batch-planner.ts';
import { readBatchItemFailures } from './batch-response.ts';
import { InvocationError, InvocationFailure, SASL_AUTHENTICATION_FAILED } from './errors.ts';
import { matchesFilterCriteria } from './filter.ts';
import type { FunctionPool } from './function-pool.ts';
import { eventRecordBytes } from './payload.ts';
import { POLLER_LIMITS, PollerScaler, type ScalingMode, ThroughputBudget } from './scaler.ts';
import { type DecodedRecord, RecordSchemaDecoder } from './schema-registry.ts';
import { type EventSourceMapping, type FunctionDefinition, StartingPosition } from './serverless-config.ts';

/** Why records were given up on, as the on-failure record's `requestContext.condition` says it. */
export const GiveUpCondition = {
  RetriesExhausted: 'RetriesExhausted',
  // The Kafka pages name no condition for expired records; Lambda's stream sources (Kinesis,
  // DynamoDB) report this one (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html).
  RecordAgeExceeded: 'RecordMaximumAgeExceeded',
  // Neither do they for a record that fails schema validation (services-consume-kafka-events.html):
  // it is never delivered as if valid, but goes to the on-failure destination (or is dropped and
  // logged) with this condition, and the partition moves on.
  SchemaValidationFailed: 'SchemaValidationFailed',
} as const;
export type GiveUpCondition = (typeof GiveUpCondition)[keyof typeof GiveUpCondition];

/** Live figures of one mapping, as {@link MappingPoller.stats} reports them. */
export interface MappingStats {
  readonly uuid: string;
  readonly functionKey: string;
  readonly functionName: string;
  readonly topic: string;
  readonly consumerGroupId: string;
  readonly state: 'starting' | 'running' | 'stopping' | 'stopped';
  readonly assignedPartitions: number;
  /** Σ (log end offset − committed offset) over the topic's partitions, refreshed every second. */
  readonly lag: number;
  readonly lagByPartition: Readonly<Record<string, number>>;
  readonly committedOffsets: Readonly<Record<string, number>>;
  readonly buffered: number;
  readonly inFlight: number;
  readonly invocations: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timeouts: number;
  readonly retries: number;
  readonly bisections: number;
  readonly partialFailures: number;
  readonly recordsDelivered: number;
  readonly recordsFiltered: number;
  readonly recordsToDestination: number;
  readonly recordsDropped: number;
  /** Records not delivered because they were older than MaximumRecordAgeInSeconds. */
  readonly recordsExpired: number;
  /** Records not delivered because they failed SchemaRegistryConfig validation. */
  readonly recordsFailedValidation: number;
  /** Fetched batches held back because the schema registry was unavailable (each retried). */
  readonly registryRetries: number;
  /**
   * Σ of the invocations' durations, each rounded up to the millisecond as Lambda bills it
   * (https://aws.amazon.com/lambda/pricing/), and the function's memory: GB-s = Σ × MB / 1024 / 1000.
   */
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly scalingMode: ScalingMode;
  /** Event pollers now (kafka-scaling-modes.html). */
  readonly pollers: number;
  /** Where an on-demand scaling decision is taking the pollers (applied after the scaling delay). */
  readonly pendingPollers: number | undefined;
  /** Invocations allowed at once: pollers × 5, capped by partitions and reserved concurrency. */
  readonly maxConcurrency: number;
  /** Evaluations that found the function throttled (reserved concurrency reached with work waiting). */
  readonly throttledEvaluations: number;
  readonly batchSize: {
    readonly last: number;
    readonly min: number;
    readonly max: number;
    readonly mean: number;
  };
  readonly maxPayloadBytes: number;
  readonly lastError: string | undefined;
  /**
   * Set when the mapping stopped on a problem, worded as Lambda's LastProcessingResult
   * (`PROBLEM: SASL authentication failed`).
   */
  readonly lastProcessingResult: string | undefined;
}

/** Whether an invocation failed because the function's init threw its ConfigError. */
const isConfigInitFailure = (error: unknown): error is InvocationError =>
  error instanceof InvocationError &&
  error.failure === InvocationFailure.ImportModule &&
  error.message.startsWith(`${InvocationFailure.ImportModule}: ConfigError:`);

export interface MappingPollerOptions {
  readonly mapping: EventSourceMapping;
  readonly fn: FunctionDefinition;
  /** The emulator's Kafka client (built once, shared). */
  readonly kafka: Kafka;
  /** Brokers reported as `bootstrapServers` in the event. */
  readonly brokers: readonly string[];
  readonly pool: FunctionPool;
  readonly log: ToolLog;
  /** Producer for `kafka://` on-failure destinations (shared; connected by the caller). */
  readonly destinationProducer: () => Promise<Producer>;
  /** SchemaRegistryConfig BASIC_AUTH credentials (`username:password`), read from its secret. */
  readonly registryBasicAuth?: string | undefined;
  /** Consumer session timeout; after a crash the group waits this long for the dead member. */
  readonly sessionTimeoutMs?: number;
  readonly retryDelayMs?: (attempt: number) => number;
  readonly statsIntervalMs?: number;
  /** How often the offset lag is evaluated for scaling; one minute on AWS. */
  readonly scalingIntervalMs?: number;
  /** On-demand: how long a scaling decision takes to apply; up to three minutes on AWS. */
  readonly scalingDelayMs?: number;
  /** Called once when the function cannot start for its configuration; the mapping stops. */
  readonly onFatal?: (error: Error) => void;
}

/**
 * Retries a cluster request while Kafka answers with a retriable error (a group
 * coordinator still loading, a leader moving): normal for seconds after a broker starts.
 */
const retriable = async <T>(request: () => Promise<T>, attempts = 40): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await request();
    } catch (error) {
      const canRetry =
        typeof error === 'object' && error !== null && Reflect.get(error, 'retriable') === true;
      if (!canRetry || attempt >= attempts) throw error;
      await new Promise((wake) => setTimeout(wake, 250));
    }
  }
};

/**
 * Records per partition buffered before fetching that partition pauses; it resumes below
 * half of it, early enough that the next fetch lands before the buffer runs dry.
 */
const highWater = (batchSize: number): number => Math.max(batchSize * 4, 5000);

/** Runs one mapping. */
export class MappingPoller {
  readonly #options: MappingPollerOptions;
  readonly #mapping: EventSourceMapping;
  readonly #identity: EventSourceIdentity;
  readonly #planner: BatchPlanner;
  readonly #scaler: PollerScaler;
  readonly #budget: ThroughputBudget;
  readonly #decoder: RecordSchemaDecoder | undefined;
  #throttled = false;
  #throttledEvaluations = 0;
  #scalingTimer: NodeJS.Timeout | undefined;
  readonly #admin: Admin;
  #consumer: Consumer | undefined;
  #state: MappingStats['state'] = 'starting';
  #timer: NodeJS.Timeout | undefined;
  #statsTimer: NodeJS.Timeout | undefined;
  readonly #running = new Set<Promise<void>>();
  readonly #paused = new Set<number>();
  #commitChain: Promise<void> = Promise.resolve();
  #startingAt = new Map<number, string>();
  readonly #startCommits: Commit[] = [];
  #runnerUp = false;
  readonly #committed = new Map<string, number>();
  #lagByPartition: Record<string, number> = {};
  #assigned = 0;
  #lastError: string | undefined;
  #lastProcessingResult: string | undefined;
  readonly #counters = {
    invocations: 0,
    succeeded: 0,
    failed: 0,
    timeouts: 0,
    retries: 0,
    bisections: 0,
    partialFailures: 0,
    recordsDelivered: 0,
    recordsFiltered: 0,
    recordsToDestination: 0,
    recordsDropped: 0,
    recordsExpired: 0,
    recordsFailedValidation: 0,
    registryRetries: 0,
    billedDurationMs: 0,
    batches: 0,
    batchRecords: 0,
    lastBatch: 0,
    minBatch: Number.POSITIVE_INFINITY,
    maxBatch: 0,
    maxPayloadBytes: 0,
  };

  constructor(options: MappingPollerOptions) {
    this.#options = options;
    this.#mapping = options.mapping;
    const bootstrapServers = options.brokers.join(',');
    this.#identity =
      options.mapping.kind === 'aws:kafka'
        ? { eventSource: 'aws:kafka', eventSourceArn: options.mapping.eventSourceArn ?? '', bootstrapServers }
        : { eventSource: 'SelfManagedKafka', bootstrapServers };
    this.#planner = new BatchPlanner({
      batchSize: options.mapping.batchSize,
      windowMs: options.mapping.maximumBatchingWindowMs,
      source: this.#identity,
      maximumRetryAttempts: options.mapping.maximumRetryAttempts,
      bisectBatchOnFunctionError: options.mapping.bisectBatchOnFunctionError,
      maximumRecordAgeMs: options.mapping.maximumRecordAgeMs,
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    });
    this.#scaler = new PollerScaler({
      mode: options.mapping.scalingMode,
      minimumPollers: options.mapping.minimumPollers,
      maximumPollers: options.mapping.maximumPollers,
      batchSize: options.mapping.batchSize,
      reservedConcurrency: options.fn.reservedConcurrency,
      ...(options.scalingDelayMs === undefined ? {} : { scalingDelayMs: options.scalingDelayMs }),
    });
    const capacity = this.#scaler.capacity();
    this.#planner.maxConcurrency = capacity.maxConcurrency;
    this.#budget = new ThroughputBudget(capacity.bytesPerSecond, Date.now());
    this.#admin = options.kafka.admin();
    const registry = options.mapping.schemaRegistry;
    this.#decoder =
      registry === undefined
        ? undefined
        : new RecordSchemaDecoder(
            registry,
            createSchemaRegistryClient({
              url: registry.uri,
              ...(options.registryBasicAuth === undefined ? {} : { basicAuth: options.registryBasicAuth }),
            }),
          );
  }

  /** Positions a new consumer group at StartingPosition, joins the group and starts fetching. */
  async start(): Promise<void> {
    const { mapping, fn } = this.#options;
    await this.#admin.connect();
    this.#startingAt = await this.#startingOffsets();
    await retriable(() => this.#refreshLag());
    this.#evaluateScaling();

    const consumer = this.#options.kafka.consumer({
      groupId: mapping.consumerGroupId,
      sessionTimeout: this.#options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: Math.min(3000, Math.floor((this.#options.sessionTimeoutMs ?? 10_000) / 3)),
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(payload.memberAssignment[mapping.topic] ?? []);
      this.#assigned = assigned.size;
      this.#applyStartingOffsets(consumer, assigned);
      for (const key of this.#planner.partitionKeys) {
        const partition = Number(key.slice(key.lastIndexOf('-') + 1));
        if (!assigned.has(partition)) this.#planner.revoke(key);
      }
      this.#options.log.info('mapping joined its consumer group', {
        mapping: mapping.uuid,
        function: fn.key,
        consumerGroupId: mapping.consumerGroupId,
        partitions: [...assigned],
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.#lastError = payload.error.message;
      // A re-authentication refused later (a rotated password): kafkajs does not restart on it.
      if (isAuthenticationFailure(payload.error)) this.#lastProcessingResult = SASL_AUTHENTICATION_FAILED;
      this.#options.log.error("the mapping's consumer crashed", {
        mapping: mapping.uuid,
        function: fn.key,
        error: payload.error.message,
        restarting: payload.restart,
      });
    });
    await consumer.connect();
    await consumer.subscribe({
      topic: mapping.topic,
      fromBeginning: mapping.startingPosition === StartingPosition.TrimHorizon,
    });
    this.#state = 'running';
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => this.#ingest(payload),
    });
    this.#runnerUp = true;
    this.#flushStartCommits();
    this.#statsTimer = setInterval(() => {
      this.#refreshLag().catch(() => {});
    }, this.#options.statsIntervalMs ?? 1000);
    this.#statsTimer.unref();
    this.#scalingTimer = setInterval(
      () => this.#evaluateScaling(),
      this.#options.scalingIntervalMs ?? POLLER_LIMITS.evaluationIntervalMs,
    );
    this.#scalingTimer.unref();
    this.#options.log.info('mapping started', {
      mapping: mapping.uuid,
      function: fn.key,
      topic: mapping.topic,
      consumerGroupId: mapping.consumerGroupId,
      consumerGroupIdGenerated: mapping.consumerGroupIdGenerated,
      batchSize: mapping.batchSize,
      maximumBatchingWindowMs: mapping.maximumBatchingWindowMs,
      startingPosition: mapping.startingPosition,
      scalingMode: mapping.scalingMode,
      pollers: this.#scaler.pollers,
    });
  }

  /** One scaling evaluation: the measured lag in, the pollers' capacity out to the planner. */
  #evaluateScaling(): void {
    const partitions = Object.keys(this.#lagByPartition).length;
    const throttled = this.#throttled;
    this.#throttled = false;
    if (throttled) this.#throttledEvaluations += 1;
    const before = this.#scaler.pollers;
    const pendingBefore = this.#scaler.pending;
    const decision = this.#scaler.evaluate({
      now: Date.now(),
      lag: Object.values(this.#lagByPartition).reduce((sum, lag) => sum + lag, 0),
      partitions,
      throttled,
    });
    const capacity = this.#scaler.capacity();
    this.#planner.maxConcurrency = capacity.maxConcurrency;
    this.#budget.bytesPerSecond = capacity.bytesPerSecond;
    if (decision.pollers !== before || decision.pending !== pendingBefore) {
      this.#options.log.info('event pollers scaled', {
        mapping: this.#mapping.uuid,
        function: this.#options.fn.key,
        pollers: decision.pollers,
        pendingPollers: decision.pending,
        reason: decision.reason,
        maxConcurrency: capacity.maxConcurrency,
      });
    }
    if (this.#state === 'running') this.#schedule();
  }

  /** Stops fetching, lets running invocations finish and commit, leaves the group. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    clearTimeout(this.#timer);
    clearInterval(this.#statsTimer);
    clearInterval(this.#scalingTimer);
    await Promise.allSettled([...this.#running]);
    await this.#commitChain;
    await this.#consumer?.disconnect().catch(() => {});
    await this.#admin.disconnect().catch(() => {});
    this.#state = 'stopped';
  }

  /**
   * Stops the mapping for a problem no retry can fix (the cluster refused its credentials):
   * it stays in the figures, stopped, with the reason.
   */
  async refuse(problem: { readonly message: string; readonly lastProcessingResult: string }): Promise<void> {
    this.#lastError = problem.message;
    this.#lastProcessingResult = problem.lastProcessingResult;
    await this.stop();
  }

  /** Live figures. */
  stats(): MappingStats {
    const c = this.#counters;
    return {
      uuid: this.#mapping.uuid,
      functionKey: this.#options.fn.key,
      functionName: this.#options.fn.name,
      topic: this.#mapping.topic,
      consumerGroupId: this.#mapping.consumerGroupId,
      state: this.#state,
      assignedPartitions: this.#assigned,
      lag: Object.values(this.#lagByPartition).reduce((sum, lag) => sum + lag, 0),
      lagByPartition: { ...this.#lagByPartition },
      committedOffsets: Object.fromEntries(this.#committed),
      buffered: this.#planner.totalBuffered,
      inFlight: this.#planner.inFlight,
      invocations: c.invocations,
      succeeded: c.succeeded,
      failed: c.failed,
      timeouts: c.timeouts,
      retries: c.retries,
      bisections: c.bisections,
      partialFailures: c.partialFailures,
      recordsDelivered: c.recordsDelivered,
      recordsFiltered: c.recordsFiltered,
      recordsToDestination: c.recordsToDestination,
      recordsDropped: c.recordsDropped,
      recordsExpired: c.recordsExpired,
      recordsFailedValidation: c.recordsFailedValidation,
      registryRetries: c.registryRetries,
      billedDurationMs: c.billedDurationMs,
      memorySizeMb: this.#options.fn.memorySize,
      scalingMode: this.#mapping.scalingMode,
      pollers: this.#scaler.pollers,
      pendingPollers: this.#scaler.pending,
      maxConcurrency: this.#planner.maxConcurrency,
      throttledEvaluations: this.#throttledEvaluations,
      batchSize: {
        last: c.lastBatch,
        min: c.batches === 0 ? 0 : c.minBatch,
        max: c.maxBatch,
        mean: c.batches === 0 ? 0 : c.batchRecords / c.batches,
      },
      maxPayloadBytes: c.maxPayloadBytes,
      lastError: this.#lastError,
      lastProcessingResult: this.#lastProcessingResult,
    };
  }

  /**
   * Where each partition without a committed offset starts. A consumer group without
   * committed offsets starts at StartingPosition; one with committed offsets resumes from
   * them and StartingPosition is ignored
   * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-consumer-group-id.html). Positions
   * are taken before the group is joined and committed as soon as it is, so start() is a
   * fixed point: what is produced after it returns is delivered, even for LATEST.
   */
  async #startingOffsets(): Promise<Map<number, string>> {
    const { mapping } = this.#options;
    const [committed] = await retriable(() =>
      this.#admin.fetchOffsets({ groupId: mapping.consumerGroupId, topics: [mapping.topic] }),
    );
    const partitions = committed?.partitions ?? [];
    const missing = partitions.filter((p) => p.offset === '-1').map((p) => p.partition);
    const starts = new Map<number, string>();
    if (missing.length === 0) return starts;
    const groupIsNew = missing.length === partitions.length;
    if (groupIsNew && mapping.startingPosition === StartingPosition.AtTimestamp) {
      const byTime = await retriable(() =>
        this.#admin.fetchTopicOffsetsByTimestamp(mapping.topic, mapping.startingPositionTimestampMs),
      );
      for (const p of byTime) starts.set(p.partition, p.offset);
    } else {
      const ends = await retriable(() => this.#admin.fetchTopicOffsets(mapping.topic));
      // Partitions added to a group that already has offsets are read from their start, losing nothing.
      const useLatest = groupIsNew && mapping.startingPosition === StartingPosition.Latest;
      for (const p of ends) starts.set(p.partition, useLatest ? p.high : p.low);
    }
    for (const partition of starts.keys()) if (!missing.includes(partition)) starts.delete(partition);
    return starts;
  }

  /** Seeks newly assigned partitions that have no committed offset to their start, and commits it. */
  #applyStartingOffsets(consumer: Consumer, assigned: ReadonlySet<number>): void {
    const commits: Commit[] = [];
    for (const partition of assigned) {
      const offset = this.#startingAt.get(partition);
      if (offset === undefined) continue;
      this.#startingAt.delete(partition);
      consumer.seek({ topic: this.#mapping.topic, partition, offset });
      commits.push({ topic: this.#mapping.topic, partition, offset: Number(offset) });
    }
    // kafkajs ignores commits until its runner is up (after the first join); hold them till then.
    this.#startCommits.push(...commits);
    if (this.#runnerUp) this.#flushStartCommits();
  }

  #flushStartCommits(): void {
    const commits = this.#startCommits.splice(0);
    if (commits.length > 0) this.#commit(commits);
  }

  async #refreshLag(): Promise<void> {
    const { mapping } = this.#options;
    const [ends, groups] = await Promise.all([
      this.#admin.fetchTopicOffsets(mapping.topic),
      this.#admin.fetchOffsets({ groupId: mapping.consumerGroupId, topics: [mapping.topic] }),
    ]);
    const committed = new Map((groups[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const lag: Record<string, number> = {};
    for (const end of ends) {
      const at = committed.get(end.partition) ?? -1;
      const from = at < 0 ? Number(end.low) : at;
      lag[sourceId(mapping.topic, end.partition)] = Math.max(0, Number(end.high) - from);
    }
    this.#lagByPartition = lag;
  }

  async #ingest({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    if (this.#state !== 'running') return;
    const sources = batch.messages.map((message) =>
      sourceRecordOfMessage(batch.topic, batch.partition, message),
    );
    const decoded = await this.#decodeAll(sources, heartbeat);
    // Stopping while the registry was down: nothing was buffered or committed, a restart reads it again.
    if (decoded === undefined) return;
    const now = Date.now();
    const records: BufferedRecord[] = [];
    const invalid: Array<{ record: BufferedRecord; reason: string }> = [];
    for (const [index, source] of sources.entries()) {
      const result = decoded[index];
      let event = toEventRecord(source);
      let filterValue = source.value;
      if (result !== undefined && !result.ok) {
        const record = { source, event, bytes: eventRecordBytes(event), delivered: false, arrivedAt: now };
        invalid.push({ record, reason: result.reason });
        records.push(record);
        continue;
      }
      if (result !== undefined) {
        const { key, value } = result;
        event = {
          ...event,
          ...(key.delivered === null ? {} : { key: key.delivered.toString('base64') }),
          ...(value.delivered === null ? {} : { value: value.delivered.toString('base64') }),
          ...(key.metadata === undefined ? {} : { keySchemaMetadata: key.metadata }),
          ...(value.metadata === undefined ? {} : { valueSchemaMetadata: value.metadata }),
        };
        filterValue = value.json;
      }
      const delivered = matchesFilterCriteria(this.#mapping.filterCriteria, filterValue);
      if (!delivered) this.#counters.recordsFiltered += 1;
      records.push({ source, event, bytes: eventRecordBytes(event), delivered, arrivedAt: now });
    }
    if (invalid.length > 0) {
      this.#counters.recordsFailedValidation += invalid.length;
      for (const { record, reason } of invalid) {
        this.#options.log.warn('record failed schema validation: not delivered', {
          mapping: this.#mapping.uuid,
          function: this.#options.fn.key,
          record: `${sourceIdOf(record.source)}@${record.source.offset}`,
          reason,
        });
      }
      // Written before the planner may commit past them.
      await this.#giveUp(
        invalid.map(({ record }) => record),
        0,
        undefined,
        GiveUpCondition.SchemaValidationFailed,
      );
    }
    this.#planner.ingest(batch.topic, batch.partition, records, now);
    if (this.#planner.buffered(sourceId(batch.topic, batch.partition)) > highWater(this.#mapping.batchSize)) {
      this.#paused.add(batch.partition);
      this.#consumer?.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
    }
    this.#schedule();
  }

  /**
   * Each record through the schema registry, or undefined when the mapping has none. While the
   * registry is unavailable the fetched records are held (nothing delivered, nothing
   * committed) and retried with backoff, the group membership kept alive; never delivered
   * undecoded. Undefined also when the mapping stops meanwhile.
   */
  async #decodeAll(
    sources: readonly SourceRecord[],
    heartbeat: () => Promise<void>,
  ): Promise<readonly (DecodedRecord | undefined)[] | undefined> {
    const decoder = this.#decoder;
    if (decoder === undefined) return sources.map(() => undefined);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await Promise.all(sources.map((source) => decoder.decode(source)));
      } catch (error) {
        // Unreachable, or refusing (a wrong URL, credentials): either way the records cannot be
        // validated, so none is delivered; the batch waits for the registry to answer.
        if (!(error instanceof SchemaRegistryError)) throw error;
        this.#counters.registryRetries += 1;
        this.#lastError = error.message;
        this.#options.log.warn('schema registry unavailable: the batch is retried', {
          retriable: error.retriable,
          mapping: this.#mapping.uuid,
          function: this.#options.fn.key,
          attempt,
          records: sources.length,
          error: error.message,
        });
        const delay = this.#options.retryDelayMs?.(attempt) ?? Math.min(30_000, 500 * 2 ** (attempt - 1));
        await new Promise((wake) => setTimeout(wake, delay));
        if (this.#state !== 'running') return undefined;
        await heartbeat().catch(() => {});
      }
    }
  }

  #schedule(): void {
    if (this.#state !== 'running') return;
    clearTimeout(this.#timer);
    const now = Date.now();
    const readyAt = this.#budget.readyAt(now);
    if (readyAt > now) {
      // The pollers' 5 MB/s each are spent: no new batch until the budget refills.
      this.#resumeDrained();
      this.#timer = setTimeout(() => this.#schedule(), readyAt - now);
      return;
    }
    const { batches, commits, expired } = this.#planner.take(now);
    if (expired.length > 0) {
      this.#counters.recordsExpired += expired.length;
      const expiry = this.#giveUp(expired, 0, undefined, GiveUpCondition.RecordAgeExceeded).then(() => {
        if (commits.length > 0) this.#commit(commits);
      });
      this.#running.add(expiry);
      void expiry.finally(() => this.#running.delete(expiry));
    } else if (commits.length > 0) {
      this.#commit(commits);
    }
    if (
      this.#planner.waitingPartitions > 0 &&
      this.#scaler.throttles(this.#planner.inFlight + 1) &&
      this.#planner.inFlight >= this.#planner.maxConcurrency
    ) {
      this.#throttled = true;
    }
    for (const batch of batches) {
      this.#budget.spend(batch.payloadBytes, now);
      const run = this.#run(batch).finally(() => {
        this.#running.delete(run);
      });
      this.#running.add(run);
    }
    this.#resumeDrained();
    const wake = this.#planner.nextWakeAt(now);
    if (wake !== undefined) this.#timer = setTimeout(() => this.#schedule(), Math.max(0, wake - Date.now()));
  }

  #resumeDrained(): void {
    for (const partition of [...this.#paused]) {
      if (
        this.#planner.buffered(sourceId(this.#mapping.topic, partition)) <
        highWater(this.#mapping.batchSize) / 2
      ) {
        this.#paused.delete(partition);
        this.#consumer?.resume([{ topic: this.#mapping.topic, partitions: [partition] }]);
      }
    }
  }

  async #run(batch: Batch): Promise<void> {
    const { mapping, fn, log, pool } = this.#options;
    const c = this.#counters;
    c.invocations += 1;
    if (batch.attempt > 0 || batch.chainId !== undefined) c.retries += 1;
    c.batches += 1;
    c.batchRecords += batch.recordCount;
    c.lastBatch = batch.recordCount;
    c.minBatch = Math.min(c.minBatch, batch.recordCount);
    c.maxBatch = Math.max(c.maxBatch, batch.recordCount);
    c.maxPayloadBytes = Math.max(c.maxPayloadBytes, batch.payloadBytes);
    const fields = {
      mapping: mapping.uuid,
      function: fn.key,
      batch: batch.id,
      attempt: batch.attempt,
      records: batch.recordCount,
      partitions: batch.parts.map((part) => part.key),
      payloadBytes: batch.payloadBytes,
    };

    let outcome: BatchOutcome;
    let requestId: string | undefined;
    try {
      if (batch.tooLarge) {
        throw new InvocationError(
          InvocationFailure.RequestTooLarge,
          `a ${batch.payloadBytes}-byte payload exceeds the 6 MB invocation quota`,
        );
      }
      const event = buildKafkaEvent(
        this.#identity,
        batch.parts.map((part) => ({ key: part.key, records: part.records.map((record) => record.event) })),
      );
      const result = await pool.invoke(event);
      requestId = result.requestId;
      if (mapping.reportBatchItemFailures) {
        const verdict = readBatchItemFailures(result.response, batch);
        if (verdict.kind === 'invalid') {
          throw new InvocationError(InvocationFailure.InvalidBatchItemFailures, verdict.reason);
        }
        outcome = verdict;
      } else {
        outcome = { kind: 'success' };
      }
      c.billedDurationMs += Math.ceil(result.durationMs);
      log.debug('batch invoked', {
        ...fields,
        requestId,
        durationMs: Math.round(result.durationMs),
        coldStart: result.coldStart,
      });
    } catch (error) {
      outcome = { kind: 'failure' };
      c.failed += 1;
      if (error instanceof InvocationError && error.failure === InvocationFailure.Timeout) c.timeouts += 1;
      this.#lastError = error instanceof Error ? error.message : String(error);
      log.warn('batch failed', { ...fields, error: this.#lastError });
      // An init that fails with the functions' ConfigError (a setting is missing or wrong)
      // fails every retry the same way: stop the mapping and say so, instead of retrying.
      if (isConfigInitFailure(error) && this.#state === 'running') {
        void this.refuse({ message: error.message, lastProcessingResult: 'PROBLEM: Function init failed' });
        this.#options.onFatal?.(error);
      }
    }
    if (outcome.kind === 'success') {
      c.succeeded += 1;
      c.recordsDelivered += batch.recordCount;
    } else if (outcome.kind === 'partial') {
      c.partialFailures += 1;
      log.info('batch partially failed', {
        ...fields,
        lowestFailedOffset: Object.fromEntries(outcome.lowestFailedOffset),
      });
    }

    const settlement = this.#planner.complete(batch, outcome, Date.now());
    if (settlement.bisected) c.bisections += 1;
    if (settlement.exhausted.length > 0) {
      await this.#giveUp(
        settlement.exhausted,
        settlement.exhaustedAttempts,
        requestId,
        GiveUpCondition.RetriesExhausted,
      );
    }
    if (settlement.commits.length > 0) this.#commit(settlement.commits);
    this.#schedule();
  }

  /**
   * Records whose retries are exhausted: to the `kafka://` on-failure destination, one
   * message per record with the failure metadata and the record itself in `payload`,
   * keyed like the original (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html);
   * without a destination they are dropped, as Lambda does, and logged.
   */
  async #giveUp(
    records: readonly BufferedRecord[],
    attempts: number,
    requestId: string | undefined,
    condition: GiveUpCondition,
  ): Promise<void> {
    const { mapping, fn, log } = this.#options;
    if (mapping.onFailureTopic === undefined) {
      this.#counters.recordsDropped += records.length;
      log.error(
        condition === GiveUpCondition.RetriesExhausted
          ? 'records dropped after exhausting retries'
          : condition === GiveUpCondition.SchemaValidationFailed
            ? 'records dropped: they failed schema validation'
            : 'records dropped: older than MaximumRecordAgeInSeconds',
        {
          mapping: mapping.uuid,
          function: fn.key,
          condition,
          attempts,
          records: records.map((record) => `${sourceIdOf(record.source)}@${record.source.offset}`),
        },
      );
      return;
    }
    const functionArn = `arn:aws:lambda:${fn.region}:000000000000:function:${fn.name}:$LATEST`;
    const messages = records.map((record) => {
      const payload = buildKafkaEvent(this.#identity, [
        { key: sourceIdOf(record.source), records: [record.event] },
      ]);
      const failure = {
        requestContext: {
          requestId: requestId ?? randomUUID(),
          functionArn,
          condition,
          approximateInvokeCount: attempts,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: new Date().toISOString(),
        KafkaBatchInfo: {
          batchSize: 1,
          ...(this.#identity.eventSource === 'aws:kafka'
            ? { eventSourceArn: this.#identity.eventSourceArn }
            : {}),
          bootstrapServers: this.#identity.bootstrapServers,
          payloadSize: Buffer.byteLength(JSON.stringify(payload)),
          recordInfo: {
            offset: String(record.source.offset),
            timestamp: new Date(record.source.timestamp).toISOString(),
          },
        },
        payload,
      };
      return { key: record.source.key, value: JSON.stringify(failure) };
    });
    try {
      const producer = await this.#options.destinationProducer();
      await producer.send({ topic: mapping.onFailureTopic, messages });
      this.#counters.recordsToDestination += records.length;
    } catch (error) {
      this.#counters.recordsDropped += records.length;
      log.error('could not write to the on-failure destination', {
        mapping: mapping.uuid,
        topic: mapping.onFailureTopic,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Commits in order, one request at a time; a failed commit only means redelivery after a restart. */
  #commit(commits: readonly Commit[]): void {
    const latest = new Map<string, Commit>();
    for (const commit of commits) latest.set(sourceId(commit.topic, commit.partition), commit);
    this.#commitChain = this.#commitChain.then(async () => {
      const consumer = this.#consumer;
      if (consumer === undefined) return;
      // A give-up commit (written after its destination send) may trail a later batch's: never move back.
      for (const [key, commit] of latest) {
        if ((this.#committed.get(key) ?? -1) >= commit.offset) latest.delete(key);
      }
      if (latest.size === 0) return;
      try {
        await consumer.commitOffsets(
          [...latest.values()].map((c) => ({
            topic: c.topic,
            partition: c.partition,
            offset: String(c.offset),
          })),
        );
        for (const [key, commit] of latest) this.#committed.set(key, commit.offset);
      } catch (error) {
        this.#options.log.warn('offset commit failed; those records will be delivered again', {
          mapping: this.#mapping.uuid,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
  }
}
