import { CompressionTypes, type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import { z } from 'zod';
import type { StreamRecord } from '../../../services/kafka/record.ts';
import { createTopics } from '../../../services/kafka/topics.ts';
import type { KsqlEngine } from '../engine.ts';
import { KsqlError } from '../errors.ts';

/** The Kafka side of the embedded engine failed (broker, changelog). Retrying may help. */
export class KsqlKafkaError extends KsqlError {
  override readonly code: string = 'KSQL_KAFKA';
}

/** Positions (next offset to read) by topic and partition. */
type Positions = Record<string, Record<string, string>>;

const checkpointSchema = z.object({
  version: z.literal(1),
  positions: z.record(z.string(), z.record(z.string(), z.string())),
  state: z.record(z.string(), z.unknown()),
});

/** Settings of a runner. */
export interface KafkaRunnerOptions {
  readonly kafka: Kafka;
  /** An engine that has executed the statements to run. */
  readonly engine: KsqlEngine;
  /** Names the consumer group and the changelog topic (`<id>-changelog`). */
  readonly applicationId: string;
  /** Write a checkpoint at most this often (ms); also on stop. */
  readonly checkpointIntervalMs?: number;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Output records per produce request. */
const SEND_CHUNK = 1000;
/** Largest checkpoint record the changelog topic accepts (compressed). */
const CHECKPOINT_MAX_BYTES = 64 * 1024 * 1024;

const jsonReplacer = (_k: string, v: unknown): unknown => (v === Number.NEGATIVE_INFINITY ? '-Infinity' : v);
const jsonReviver = (_k: string, v: unknown): unknown => (v === '-Infinity' ? Number.NEGATIVE_INFINITY : v);

/**
 * Runs the engine's queries over real Kafka topics. Durability: after the outputs of a batch are
 * acknowledged, a checkpoint holding the engine state *and* the input positions it reflects is
 * written as one record to a compacted single-partition changelog topic. On start the last
 * checkpoint is restored and consumption resumes at its positions, so no input is counted twice.
 * Outputs written after the last checkpoint may be written again (table updates, idempotent).
 */
export class KafkaKsqlRunner {
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private positions: Positions = {};
  private lastCheckpoint = 0;
  private dirty = false;
  private readonly changelogTopic: string;
  private chain: Promise<void> = Promise.resolve();
  /** A batch is between its first record and its checkpoint: outputs may not be acknowledged yet. */
  private inBatch = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: KafkaRunnerOptions) {
    this.changelogTopic = `${options.applicationId}-changelog`;
  }

  private log(message: string, fields?: Record<string, unknown>): void {
    this.options.log?.(message, fields);
  }

  /** Creates sink and changelog topics, restores the last checkpoint and starts consuming. */
  async start(): Promise<void> {
    const { kafka, engine } = this.options;
    const sourceTopics = [...new Set(engine.queries.map((q) => q.source.topic))];
    const sinkTopics = engine.queries.map((q) => ({
      topic: q.sink.topic,
      partitions: q.sink.partitions ?? 1,
    }));
    await createTopics(kafka, [
      ...sinkTopics,
      {
        topic: this.changelogTopic,
        partitions: 1,
        configs: { 'cleanup.policy': 'compact', 'max.message.bytes': String(CHECKPOINT_MAX_BYTES) },
      },
    ]);
    await this.readPartitionCounts([...sourceTopics, ...sinkTopics.map((s) => s.topic)]);
    await this.restore();
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await this.producer.connect();
    this.consumer = kafka.consumer({ groupId: this.options.applicationId, allowAutoTopicCreation: false });
    await this.consumer.connect();
    for (const topic of sourceTopics) await this.consumer.subscribe({ topic, fromBeginning: true });
    const consumer = this.consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      // Positions come from the checkpoint, not from the group's commits: state and positions must agree.
      for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) {
        for (const p of partitions) {
          const offset = this.positions[topic]?.[String(p)];
          if (offset !== undefined) consumer.seek({ topic, partition: p, offset });
        }
      }
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning }) => {
        this.inBatch = true;
        try {
          await this.processBatch(batch, resolveOffset, isRunning);
        } finally {
          this.inBatch = false;
        }
        await heartbeat();
      },
    });
    // The last batch before the input goes quiet is checkpointed (and its offsets committed) by
    // this timer, never in the middle of a batch whose outputs are not yet acknowledged.
    const interval = this.options.checkpointIntervalMs ?? 1000;
    this.idleTimer = setInterval(
      () => {
        if (this.inBatch || !this.dirty) return;
        this.maybeCheckpoint(false).catch((error: unknown) =>
          this.log('ksql checkpoint failed; retried at the next interval', { error: String(error) }),
        );
      },
      Math.max(interval, 100),
    );
    this.idleTimer.unref();
    this.log('ksql runner started', {
      sourceTopics,
      sinks: sinkTopics.map((s) => s.topic),
      changelog: this.changelogTopic,
    });
  }

  private async processBatch(
    batch: EachBatchPayload['batch'],
    resolveOffset: EachBatchPayload['resolveOffset'],
    isRunning: EachBatchPayload['isRunning'],
  ): Promise<void> {
    const { engine } = this.options;
    const outputs: StreamRecord[] = [];
    for (const m of batch.messages) {
      if (!isRunning()) break;
      const expected = this.positions[batch.topic]?.[String(batch.partition)];
      if (expected !== undefined && BigInt(m.offset) < BigInt(expected)) continue;
      outputs.push(
        ...engine.process({
          topic: batch.topic,
          key: m.key === null ? null : new Uint8Array(m.key),
          value: m.value === null ? null : new Uint8Array(m.value),
          timestamp: Number(m.timestamp),
          partition: batch.partition,
        }),
      );
      this.positions[batch.topic] = {
        ...this.positions[batch.topic],
        [String(batch.partition)]: (BigInt(m.offset) + 1n).toString(),
      };
      resolveOffset(m.offset);
    }
    await this.send(outputs);
    this.dirty = true;
    await this.maybeCheckpoint(false);
  }

  private async send(records: StreamRecord[]): Promise<void> {
    if (records.length === 0 || this.producer === undefined) return;
    // kafkajs writes one record batch per partition per request, and the broker refuses a
    // batch over max.message.bytes (1 MiB by default): send a busy batch's outputs in chunks.
    for (let start = 0; start < records.length; start += SEND_CHUNK) {
      const byTopic = new Map<string, StreamRecord[]>();
      for (const r of records.slice(start, start + SEND_CHUNK)) {
        const list = byTopic.get(r.topic);
        if (list === undefined) byTopic.set(r.topic, [r]);
        else list.push(r);
      }
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, rs]) => ({
          topic,
          messages: rs.map((r) => ({
            key: r.key === null ? null : Buffer.from(r.key),
            value: r.value === null ? null : Buffer.from(r.value),
            timestamp: String(r.timestamp),
          })),
        })),
      });
    }
  }

  private async maybeCheckpoint(force: boolean): Promise<void> {
    const interval = this.options.checkpointIntervalMs ?? 1000;
    if (!this.dirty || (!force && Date.now() - this.lastCheckpoint < interval) || this.producer === undefined)
      return;
    // State and positions are taken together, synchronously, between batches: they agree.
    const checkpoint = { version: 1, positions: this.positions, state: this.options.engine.snapshot() };
    const value = JSON.stringify(checkpoint, jsonReplacer);
    const positions = Object.entries(this.positions).flatMap(([topic, parts]) =>
      Object.entries(parts).map(([partition, offset]) => ({ topic, partition: Number(partition), offset })),
    );
    this.dirty = false;
    this.lastCheckpoint = Date.now();
    this.chain = this.chain.then(async () => {
      await this.producer?.send({
        topic: this.changelogTopic,
        acks: -1,
        // The whole state in one record: compressed, on a topic that accepts large records.
        compression: CompressionTypes.GZIP,
        messages: [{ key: 'checkpoint', value }],
      });
    });
    try {
      await this.chain;
    } catch (error) {
      this.dirty = true;
      this.chain = Promise.resolve();
      throw error;
    }
    // Group offsets follow the checkpoint, for tools that show consumer lag.
    await this.consumer?.commitOffsets(positions).catch(() => undefined);
  }

  /**
   * Gives the engine each topic's partition count: aggregations keep stream time per partition of
   * their input (the repartition topic of a GROUP BY that changes the key has the source's count).
   */
  private async readPartitionCounts(topics: readonly string[]): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...new Set(topics)] });
      for (const t of metadata) this.options.engine.setPartitionCount(t.name, t.partitions.length);
    } finally {
      await admin.disconnect();
    }
  }

  /** Reads the changelog to its end and restores the last checkpoint, if any. */
  private async restore(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    let high: string;
    try {
      const offsets = await admin.fetchTopicOffsets(this.changelogTopic);
      high = offsets.find((o) => o.partition === 0)?.high ?? '0';
    } finally {
      await admin.disconnect();
    }
    if (high === '0') return;
    const reader = this.options.kafka.consumer({
      groupId: `${this.options.applicationId}-restore-${Date.now()}`,
    });
    await reader.connect();
    let last: string | undefined;
    try {
      await reader.subscribe({ topic: this.changelogTopic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        reader
          .run({
            eachMessage: async ({ message }) => {
              if (message.value !== null) last = message.value.toString('utf8');
              if (BigInt(message.offset) + 1n >= BigInt(high)) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await reader.disconnect();
    }
    if (last === undefined) return;
    const parsed = checkpointSchema.safeParse(JSON.parse(last, jsonReviver) as unknown);
    if (!parsed.success)
      throw new KsqlKafkaError(`changelog ${this.changelogTopic} holds an unreadable checkpoint`, {
        cause: parsed.error,
      });
    this.positions = parsed.data.positions;
    this.options.engine.restore(parsed.data.state);
    this.log('ksql state restored', { changelog: this.changelogTopic, positions: this.positions });
  }

  /** Writes a final checkpoint and disconnects. */
  async stop(): Promise<void> {
    clearInterval(this.idleTimer);
    await this.consumer?.stop();
    this.dirty = true;
    await this.maybeCheckpoint(true);
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}
