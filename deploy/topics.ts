/**
 * The topics a deployment needs on the target cluster (created by services/kafka/topics.ts'
 * ensureTopics). ksqlDB creates its other output topics itself when the migrations run.
 */
import type { TopicSpec } from '../services/kafka/topics.ts';

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
  // The event source mappings' Kafka on-failure destination in provisioned mode (serverless.yml esmScalingMode).
  { topic: 'clickstream-esm-failures', partitions, configs: { 'retention.ms': String(4 * Number(WEEK_MS)) } },
];
