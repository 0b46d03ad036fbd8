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
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { isAuthenticationFailure } from '../../services/kafka/errors.ts';
import { type EventSourceIdentity, toEventRecord } from '../../services/kafka/esm-event.ts';
import {
  type SourceRecord,
  sourceId,
  sourceIdOf,
  sourceRecordOfMessage,
} from '../../services/kafka/record.ts';
import { createSchemaRegistryClient } from '../../services/schema-registry/client.ts';
import { SchemaRegistryError } from '../../services/schema-registry/errors.ts';
import type { ToolLog } from '../../tooling/logger.ts';
import { invokeBatch } from './batch-invoker.ts';
import {
  type Batch,
  type BatchOutcome,
  BatchPlanner,
  type BufferedRecord,
  type Commit,
} from './batch-planner.ts';
import { DeliveryLedger } from './delivery-ledger.ts';
import { InvocationError, InvocationFailure, SASL_AUTHENTICATION_FAILED } from './errors.ts';
import { matchesFilterCriteria } from './filter.ts';
import type { FunctionPool } from './function-pool.ts';
import type { MappingCounters } from './mapping-metrics.ts';
import { OffsetCommitter } from './offset-committer.ts';
import { FailureDestination, GiveUpCondition } from './on-failure-destination.ts';
import { offsetLag, retriable, startingOffsets } from './partition-positions.ts';
import { eventRecordBytes } from './payload.ts';
import type { PollerGroupStats, PollerGroups } from './poller-groups.ts';
import { POLLER_LIMITS, PollerScaler, type ScalingMode, ThroughputBudget } from './scaler.ts';
import { type DecodedRecord, RecordSchemaDecoder, SchemaValidationFailure } from './schema-registry.ts';
import { type EventSourceMapping, type FunctionDefinition, StartingPosition } from './serverless-config.ts';
import { SystemEventType, SystemLog, type SystemLogRecord } from './system-log.ts';

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
  /** Records read from the topic. */
  readonly recordsPolled: number;
  /** Records whose offsets were committed (the starting position's commit not counted). */
  readonly recordsCommitted: number;
  /** PollerGroupName: the group's figures, when the mapping is in one. */
  readonly pollerGroup: PollerGroupStats | undefined;
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
  /** PollerGroupName: the emulator's poller groups (the mapping has joined its own). */
  readonly pollerGroups?: PollerGroups;
  /** LoggingConfig: where the mapping's system log records go (one JSON object each). */
  readonly systemLogOutput?: (record: SystemLogRecord) => void;
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
  readonly #ledger = new DeliveryLedger();
  readonly #system: SystemLog;
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
  readonly #committer: OffsetCommitter;
  readonly #destination: FailureDestination;
  #startingAt = new Map<number, string>();
  readonly #startCommits: Commit[] = [];
  #runnerUp = false;
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
    recordsPolled: 0,
    recordsInvoked: 0,
    recordsFailedInvoke: 0,
    destinationErrors: 0,
    consumerErrors: 0,
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
    this.#system = new SystemLog({
      level: options.mapping.systemLogLevel,
      uuid: options.mapping.uuid,
      eventSourceMappingArn: `arn:aws:lambda:${options.fn.region}:000000000000:event-source-mapping:${options.mapping.uuid}`,
      write: options.systemLogOutput ?? (() => {}),
    });
    this.#committer = new OffsetCommitter({
      consumer: () => this.#consumer,
      log: options.log,
      system: this.#system,
      mappingUuid: options.mapping.uuid,
    });
    this.#destination = new FailureDestination({
      mapping: options.mapping,
      fn: options.fn,
      identity: this.#identity,
      ledger: this.#ledger,
      log: options.log,
      system: this.#system,
      producer: options.destinationProducer,
    });
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
    const { mapping } = this.#options;
    await this.#admin.connect();
    this.#startingAt = await startingOffsets(this.#admin, this.#mapping);
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
      this.#joined(consumer, new Set(payload.memberAssignment[mapping.topic] ?? []));
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.#crashed(payload.error, payload.restart));
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
    this.#startTimers();
    this.#logStarted();
  }

  /** The lag refreshed every second (the figures), the scaling evaluated on its cadence. */
  #startTimers(): void {
    this.#statsTimer = setInterval(() => {
      this.#refreshLag().catch(() => {});
    }, this.#options.statsIntervalMs ?? 1000);
    this.#statsTimer.unref();
    this.#scalingTimer = setInterval(
      () => this.#evaluateScaling(),
      this.#options.scalingIntervalMs ?? POLLER_LIMITS.evaluationIntervalMs,
    );
    this.#scalingTimer.unref();
  }

  #logStarted(): void {
    const { mapping, fn } = this.#options;
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
    this.#system.info(SystemEventType.PollerStatus, 'event source mapping started', {
      topic: mapping.topic,
      consumerGroupId: mapping.consumerGroupId,
      batchSize: mapping.batchSize,
      maximumBatchingWindowInSeconds: mapping.maximumBatchingWindowMs / 1000,
      scalingMode: mapping.scalingMode,
      pollers: this.#scaler.pollers,
      ...(mapping.pollerGroupName === undefined ? {} : { pollerGroupName: mapping.pollerGroupName }),
    });
  }

  /** The group assigned `assigned`: position new partitions, forget revoked ones. */
  #joined(consumer: Consumer, assigned: ReadonlySet<number>): void {
    const { mapping, fn } = this.#options;
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
    this.#system.info(SystemEventType.KafkaStatus, 'joined the consumer group', {
      consumerGroupId: mapping.consumerGroupId,
      topic: mapping.topic,
      partitions: [...assigned],
    });
  }

  #crashed(error: Error, restarting: boolean): void {
    this.#lastError = error.message;
    this.#counters.consumerErrors += 1;
    this.#system.warn(SystemEventType.KafkaStatus, 'the Kafka consumer failed', {
      error: error.message,
      restarting,
    });
    // A re-authentication refused later (a rotated password): kafkajs does not restart on it.
    if (isAuthenticationFailure(error)) this.#lastProcessingResult = SASL_AUTHENTICATION_FAILED;
    this.#options.log.error("the mapping's consumer crashed", {
      mapping: this.#mapping.uuid,
      function: this.#options.fn.key,
      error: error.message,
      restarting,
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
      ...(this.#options.pollerGroups === undefined
        ? {}
        : { available: this.#options.pollerGroups.available(this.#mapping.uuid) }),
    });
    this.#options.pollerGroups?.report(this.#mapping.uuid, this.#scaler.pollers);
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
      this.#system.info(SystemEventType.PollerStatus, 'event pollers scaled', {
        pollers: decision.pollers,
        pendingPollers: decision.pending,
        reason: decision.reason,
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
    await this.#committer.settled();
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
      committedOffsets: Object.fromEntries(this.#committer.committed),
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
      recordsPolled: c.recordsPolled,
      recordsCommitted: this.#committer.records,
      pollerGroup: this.#options.pollerGroups?.statsOf(this.#mapping.uuid),
    };
  }

  /** The cumulative counts MetricsConfig's metrics are published from (emulators/esm/mapping-metrics.ts). */
  metricsCounters(): MappingCounters {
    const c = this.#counters;
    return {
      polled: c.recordsPolled,
      filtered: c.recordsFiltered,
      invoked: c.recordsInvoked,
      failedInvoke: c.recordsFailedInvoke,
      dropped: c.recordsToDestination + c.recordsDropped,
      toDestination: c.recordsToDestination,
      committed: this.#committer.records,
      functionErrors: c.failed,
      timeouts: c.timeouts,
      schemaValidationErrors: c.recordsFailedValidation,
      schemaRegistryErrors: c.registryRetries,
      destinationErrors: c.destinationErrors,
      kafkaConsumerErrors: c.consumerErrors + this.#committer.errors,
    };
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
    if (commits.length > 0) this.#committer.commit(commits);
  }

  async #refreshLag(): Promise<void> {
    this.#lagByPartition = await offsetLag(this.#admin, this.#mapping);
  }

  async #ingest({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    if (this.#state !== 'running') return;
    const sources = batch.messages.map((message) =>
      sourceRecordOfMessage(batch.topic, batch.partition, message),
    );
    this.#counters.recordsPolled += sources.length;
    const decoded = await this.#decodeAll(sources, heartbeat);
    // Stopping while the registry was down: nothing was buffered or committed, a restart reads it again.
    if (decoded === undefined) return;
    const now = Date.now();
    const records: BufferedRecord[] = [];
    const invalid: Array<{ record: BufferedRecord; code: SchemaValidationFailure; reason: string }> = [];
    for (const [index, source] of sources.entries()) {
      const result = decoded[index];
      let event = toEventRecord(source);
      let filterValue = source.value;
      if (result !== undefined && !result.ok) {
        const record = { source, event, bytes: eventRecordBytes(event), delivered: false, arrivedAt: now };
        invalid.push({ record, code: result.code, reason: result.reason });
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
      for (const { record, code, reason } of invalid) {
        const fields = { record: `${sourceIdOf(record.source)}@${record.source.offset}`, code, reason };
        this.#options.log.warn('record failed schema validation: not delivered', {
          mapping: this.#mapping.uuid,
          function: this.#options.fn.key,
          ...fields,
        });
        this.#system.warn(SystemEventType.Processing, 'record failed schema validation', fields);
      }
      // Written before the planner may commit past them.
      for (const code of Object.values(SchemaValidationFailure)) {
        const failed = invalid.filter((entry) => entry.code === code).map(({ record }) => record);
        if (failed.length > 0) await this.#giveUp(failed, code);
      }
    }
    this.#planner.ingest(batch.topic, batch.partition, records);
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
        this.#system.warn(SystemEventType.Processing, 'schema registry unavailable: the batch is retried', {
          attempt,
          records: sources.length,
          error: error.message,
        });
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
      const expiry = this.#giveUp(expired, GiveUpCondition.RecordAgeExceeded).then(() => {
        if (commits.length > 0) this.#committer.commit(commits);
      });
      this.#running.add(expiry);
      void expiry.finally(() => this.#running.delete(expiry));
    } else if (commits.length > 0) {
      this.#committer.commit(commits);
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
    const { mapping, log } = this.#options;
    this.#countBatch(batch);
    const report = await invokeBatch({
      batch,
      identity: this.#identity,
      pool: this.#options.pool,
      reportBatchItemFailures: mapping.reportBatchItemFailures,
      ledger: this.#ledger,
    });
    const fields = {
      mapping: mapping.uuid,
      function: this.#options.fn.key,
      batch: batch.id,
      attempt: batch.attempt,
      records: batch.recordCount,
      partitions: batch.parts.map((part) => part.key),
      payloadBytes: batch.payloadBytes,
      requestId: report.requestId,
    };
    const c = this.#counters;
    if (batch.tooLarge === false) c.recordsInvoked += batch.recordCount;
    if ('error' in report) {
      c.failed += 1;
      if (report.error instanceof InvocationError && report.error.failure === InvocationFailure.Timeout) {
        c.timeouts += 1;
      }
      this.#lastError = report.error instanceof Error ? report.error.message : String(report.error);
      c.recordsFailedInvoke += batch.recordCount;
      log.warn('batch failed', { ...fields, error: this.#lastError });
      this.#system.warn(SystemEventType.Processing, 'batch failed', { ...fields, error: this.#lastError });
      // An init that fails with the functions' ConfigError (a setting is missing or wrong)
      // fails every retry the same way: stop the mapping and say so, instead of retrying.
      if (isConfigInitFailure(report.error) && this.#state === 'running') {
        void this.refuse({
          message: report.error.message,
          lastProcessingResult: 'PROBLEM: Function init failed',
        });
        this.#options.onFatal?.(report.error);
      }
    } else {
      c.billedDurationMs += Math.ceil(report.durationMs);
      log.debug('batch invoked', {
        ...fields,
        durationMs: Math.round(report.durationMs),
        coldStart: report.coldStart,
      });
      this.#system.debug(SystemEventType.Processing, 'batch invoked', {
        ...fields,
        durationMs: Math.round(report.durationMs),
      });
      if (report.outcome.kind === 'success') {
        c.succeeded += 1;
        c.recordsDelivered += batch.recordCount;
      } else {
        c.partialFailures += 1;
        log.info('batch partially failed', {
          ...fields,
          lowestFailedOffset: Object.fromEntries(report.outcome.lowestFailedOffset),
        });
      }
    }
    await this.#settle(batch, report.outcome);
  }

  /** The batch figures of an invocation about to run. */
  #countBatch(batch: Batch): void {
    const c = this.#counters;
    c.invocations += 1;
    if (batch.attempt > 0 || batch.chainId !== undefined) c.retries += 1;
    c.batches += 1;
    c.batchRecords += batch.recordCount;
    c.lastBatch = batch.recordCount;
    c.minBatch = Math.min(c.minBatch, batch.recordCount);
    c.maxBatch = Math.max(c.maxBatch, batch.recordCount);
    c.maxPayloadBytes = Math.max(c.maxPayloadBytes, batch.payloadBytes);
  }

  /** Applies an outcome: records given up on first, then the commits, then the next batches. */
  async #settle(batch: Batch, outcome: BatchOutcome): Promise<void> {
    const settlement = this.#planner.complete(batch, outcome, Date.now());
    if (settlement.bisected) this.#counters.bisections += 1;
    if (settlement.exhausted.length > 0) {
      await this.#giveUp(settlement.exhausted, GiveUpCondition.RetriesExhausted);
    }
    if (settlement.commits.length > 0) this.#committer.commit(settlement.commits);
    this.#schedule();
  }

  /** Gives records up (emulators/esm/on-failure-destination.ts) and counts what that came to. */
  async #giveUp(records: readonly BufferedRecord[], condition: GiveUpCondition): Promise<void> {
    const result = await this.#destination.giveUp(records, condition);
    this.#counters.recordsToDestination += result.toDestination;
    this.#counters.recordsDropped += result.dropped;
    this.#counters.destinationErrors += result.destinationErrors;
  }
}
