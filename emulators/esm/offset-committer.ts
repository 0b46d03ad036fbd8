/**
 * A mapping's offset commits: in order, one request at a time, never moving a partition back,
 * counting the records each commit settles. Lambda commits a batch's offsets only once it has
 * succeeded or its records were given up on
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html); a failed commit only means
 * those records are delivered again after a restart.
 */
import type { Consumer } from 'kafkajs';
import { sourceId } from '../../services/kafka/record.ts';
import type { ToolLog } from '../../tooling/logger.ts';
import type { Commit } from './batch-planner.ts';
import { SystemEventType, type SystemLog } from './system-log.ts';

/** Commits the offsets of one mapping's consumer. */
export class OffsetCommitter {
  readonly #consumer: () => Consumer | undefined;
  readonly #log: ToolLog;
  readonly #system: SystemLog;
  readonly #mappingUuid: string;
  readonly #committed = new Map<string, number>();
  #chain: Promise<void> = Promise.resolve();
  #records = 0;
  #errors = 0;

  constructor(options: {
    /** The consumer once it exists (commits before then are skipped). */
    readonly consumer: () => Consumer | undefined;
    readonly log: ToolLog;
    readonly system: SystemLog;
    readonly mappingUuid: string;
  }) {
    this.#consumer = options.consumer;
    this.#log = options.log;
    this.#system = options.system;
    this.#mappingUuid = options.mappingUuid;
  }

  /** The committed offset per "topic-partition". */
  get committed(): ReadonlyMap<string, number> {
    return this.#committed;
  }

  /** Records the commits settled (a partition's first commit, its starting position, not counted). */
  get records(): number {
    return this.#records;
  }

  /** Commits that failed. */
  get errors(): number {
    return this.#errors;
  }

  /** Resolves once every commit queued so far is done. */
  settled(): Promise<void> {
    return this.#chain;
  }

  /** Queues `commits` (the last per partition wins). */
  commit(commits: readonly Commit[]): void {
    const latest = new Map<string, Commit>();
    for (const commit of commits) latest.set(sourceId(commit.topic, commit.partition), commit);
    this.#chain = this.#chain.then(() => this.#send(latest));
  }

  async #send(latest: Map<string, Commit>): Promise<void> {
    const consumer = this.#consumer();
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
    } catch (error) {
      this.#errors += 1;
      const message = error instanceof Error ? error.message : String(error);
      this.#system.warn(SystemEventType.KafkaStatus, 'offset commit failed', { error: message });
      this.#log.warn('offset commit failed; those records will be delivered again', {
        mapping: this.#mappingUuid,
        error: message,
      });
      return;
    }
    for (const [key, commit] of latest) {
      const previous = this.#committed.get(key);
      if (previous !== undefined) this.#records += commit.offset - previous;
      this.#committed.set(key, commit.offset);
    }
    if (this.#system.enabled('DEBUG')) {
      this.#system.debug(SystemEventType.KafkaStatus, 'offsets committed', {
        offsets: Object.fromEntries([...latest].map(([key, commit]) => [key, commit.offset])),
      });
    }
  }
}
