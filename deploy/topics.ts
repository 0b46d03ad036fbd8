/**
 * The topics a deployment needs on the target cluster, and their idempotent creation.
 * ksqlDB creates its other output topics itself when the migrations run.
 */

/** A topic to create if it is missing. */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<string, string>>;
}

/** The part of kafkajs' `Admin` topic creation needs; a fake fits in a test. */
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
}

const WEEK_MS = String(7 * 24 * 60 * 60 * 1000);

/**
 * Topic names as serverless.yml (`custom.topics`) and the ksql migrations use them.
 * clickstream-user-sessions is created here too, with the partitions the migrations are
 * given (`--var OUTPUT_PARTITIONS`), so that its event source mapping finds it at deploy.
 */
export const deployTopics = (partitions: number): TopicSpec[] => [
  { topic: 'clickstream-events', partitions, configs: { 'retention.ms': WEEK_MS } },
  { topic: 'clickstream-user-sessions', partitions, configs: { 'retention.ms': WEEK_MS } },
  { topic: 'clickstream-sessions-enriched', partitions, configs: { 'retention.ms': WEEK_MS } },
  { topic: 'clickstream-cart-abandoned', partitions, configs: { 'retention.ms': WEEK_MS } },
  // Dead letters wait for a person: kept four weeks.
  { topic: 'clickstream-dlq', partitions, configs: { 'retention.ms': String(4 * Number(WEEK_MS)) } },
];

/**
 * Creates the topics that do not exist yet, with the cluster's default replication factor
 * (-1: 3 on Confluent Cloud and on a three-AZ MSK cluster). Existing topics are left as
 * they are. Returns the names created.
 */
export const ensureTopics = async (admin: TopicAdmin, specs: readonly TopicSpec[]): Promise<string[]> => {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((spec) => ({
      topic: spec.topic,
      numPartitions: spec.partitions,
      replicationFactor: -1,
      configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
    })),
  });
  return missing.map((spec) => spec.topic);
};
