import { AppError } from '../commons/errors.ts';

/**
 * Topic creation, one implementation for the stack, the deploy, the load generator, the ksql
 * runner and the tests: create what is missing, then wait until every partition is served.
 */

/** A topic to create if it is missing. */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly configs?: Readonly<Record<string, string>>;
}

/** The part of kafkajs' `Admin` topic creation needs; a fake fits in a unit test. */
export interface TopicAdmin {
  listTopics(): Promise<string[]>;
  createTopics(options: {
    waitForLeaders?: boolean;
    topics: {
      topic: string;
      numPartitions: number;
      replicationFactor: number;
      configEntries: { name: string; value: string }[];
    }[];
  }): Promise<boolean>;
  fetchTopicOffsets(topic: string): Promise<{ partition: number }[]>;
}

/** How topics are created. */
export interface EnsureTopicsOptions {
  /** -1 (the default) takes the cluster's default: 1 on a laptop broker, 3 on Confluent Cloud. */
  readonly replicationFactor?: number;
  /** How long new partitions may take to be served before giving up. */
  readonly servedTimeoutMs?: number;
}

/** New partitions were not served within the deadline. */
export class TopicNotServedError extends AppError {
  readonly code: string = 'TOPIC_NOT_SERVED';
  override readonly retriable = true;

  constructor(topic: string, timeoutMs: number, options?: ErrorOptions) {
    super(`topic ${topic} was created but its partitions were not served within ${timeoutMs} ms`, options);
  }
}

/**
 * Creates the topics that do not exist yet and returns the names created. Existing topics are
 * left as they are.
 *
 * kafkajs' `waitForLeaders` reads the metadata of one broker; a partition's leader may not host
 * it yet for a moment ("This server is not the leader for that topic-partition"), so this also
 * waits until every new partition answers a ListOffsets request, quietly retrying that
 * retriable error (https://kafka.apache.org/protocol#protocol_error_codes, NOT_LEADER_OR_FOLLOWER).
 */
export const ensureTopics = async (
  admin: TopicAdmin,
  specs: readonly TopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<string[]> => {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return [];
  // kafkajs' own wait (waitForLeaders) gives up on UNKNOWN_TOPIC_OR_PARTITION, which a busy
  // KRaft broker may answer for a moment after the creation; waitUntilServed retries it.
  await admin.createTopics({
    waitForLeaders: false,
    topics: missing.map((spec) => ({
      topic: spec.topic,
      numPartitions: spec.partitions,
      replicationFactor: options.replicationFactor ?? -1,
      configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
  });
  const timeoutMs = options.servedTimeoutMs ?? 30_000;
  for (const spec of missing) await waitUntilServed(admin, spec, timeoutMs);
  return missing.map((spec) => spec.topic);
};

const waitUntilServed = async (admin: TopicAdmin, spec: TopicSpec, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const offsets = await admin.fetchTopicOffsets(spec.topic);
      if (offsets.length === spec.partitions) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw new TopicNotServedError(spec.topic, timeoutMs, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** The client side {@link createTopics} needs: kafkajs' `Kafka` fits. */
export interface AdminFactory {
  admin(): TopicAdmin & { connect(): Promise<void>; disconnect(): Promise<void> };
}

/** {@link ensureTopics} over a short-lived admin connection of `kafka`. */
export const createTopics = async (
  kafka: AdminFactory,
  specs: readonly TopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<string[]> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, specs, options);
  } finally {
    await admin.disconnect();
  }
};
