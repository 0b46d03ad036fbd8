import { z } from 'zod';

const count = z.number().int().nonnegative();

/**
 * The health of one event source mapping (one function reading one topic through one
 * consumer group). Figures a source cannot know are `null`: the Kafka admin fallback sees
 * lag but not invocations.
 */
export const MappingStatsSchema = z.object({
  /** The function the mapping invokes, or the consumer group when only Kafka is asked. */
  name: z.string(),
  topic: z.string(),
  consumerGroup: z.string(),
  /** Records between the group's committed offsets and the partitions' ends. */
  lag: count,
  /**
   * Event pollers reading the topic for the mapping (kafka-scaling-modes.html): the count
   * that follows the lag. `null` when only Kafka is asked (pollers are Lambda's).
   */
  pollers: count.nullable(),
  invocations: count.nullable(),
  /** Invocations that threw or timed out (each one is retried by the mapping). */
  errors: count.nullable(),
  retries: count.nullable(),
  /** Records delivered per invocation. */
  batchSize: z.object({ mean: z.number().nonnegative(), max: count }).nullable(),
  /** Lag per partition (`<topic>-<partition>` → records), `null` when the source cannot tell. */
  lagByPartition: z.record(z.string(), count).nullable().default(null),
  /** Mean billed duration of an invocation, milliseconds. */
  meanDurationMs: z.number().nonnegative().nullable().default(null),
  /** Billed GB-seconds so far (billed duration × memory). */
  gbSeconds: z.number().nonnegative().nullable().default(null),
  /** Records delivered to the function so far. */
  recordsDelivered: count.nullable().default(null),
});
export type MappingStats = z.infer<typeof MappingStatsSchema>;
export type MappingStatsInput = z.input<typeof MappingStatsSchema>;

/** What the dashboard shows about the pipeline's health. */
export const PipelineStatsSchema = z.object({
  /** Where the figures come from, shown on the page. */
  source: z.string(),
  mappings: z.array(MappingStatsSchema),
  /** Records in the dead-letter topic, or `null` when it cannot be read. */
  deadLetters: count.nullable(),
  /** Dead letters by their `dlq-reason` header (services/dead-letter), `null` when not read. */
  deadLettersByReason: z.record(z.string(), count).nullable().default(null),
  /**
   * DynamoDB request units the functions reported so far (their EMF metrics, what the table
   * bills), `null` when the source cannot tell.
   */
  dynamoDbUnits: z
    .object({ write: z.number().nonnegative(), read: z.number().nonnegative() })
    .nullable()
    .default(null),
});
export type PipelineStats = z.infer<typeof PipelineStatsSchema>;
/** What a source returns: the figures it cannot tell may be left out (they read as `null`). */
export type PipelineStatsInput = z.input<typeof PipelineStatsSchema>;

/** Reads the pipeline's health; called once per dashboard refresh. */
export type PipelineStatsSource = () => PipelineStatsInput | Promise<PipelineStatsInput>;
