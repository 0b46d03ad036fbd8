import { type SourceId, type SourceRecord, sourceIdOf } from '../../services/kafka/record.ts';

/**
 * A Kafka event source mapping's partial batch response: the first offset to redeliver of each
 * failed partition (`partition` is `<topic>-<partition>`), AWS's shape for Kafka
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html, "Partial batch
 * response"; emulators/esm/batch-response.ts reads it).
 */
export interface KafkaBatchResponse {
  readonly batchItemFailures: ReadonlyArray<{
    readonly itemIdentifier: { readonly partition: SourceId; readonly offset: number };
  }>;
}

/** What processing a batch partition by partition did. */
export interface PartitionedOutcome {
  readonly response: KafkaBatchResponse;
  /** Each failed partition's error, in the order of the batch's partitions. */
  readonly errors: ReadonlyArray<{ readonly partition: SourceId; readonly error: unknown }>;
  /** Partitions in the batch. */
  readonly partitions: number;
}

/**
 * Processes each source partition's records of a batch as a batch of its own, all at once, and
 * reports a partition whose processing throws by its first offset in the batch: the mapping
 * redelivers that partition from there and commits the others, so one partition's failure never
 * holds another's records. Processing is per record idempotent here (watermarks, conditional
 * writes, deterministic event ids), so records of a failed partition that were applied before the
 * failure are applied again harmlessly.
 */
export const processByPartition = async (
  records: readonly SourceRecord[],
  process: (records: SourceRecord[]) => Promise<unknown>,
): Promise<PartitionedOutcome> => {
  const byPartition = new Map<SourceId, SourceRecord[]>();
  for (const record of records) {
    const partition = sourceIdOf(record);
    const list = byPartition.get(partition);
    if (list === undefined) byPartition.set(partition, [record]);
    else list.push(record);
  }
  const groups = [...byPartition];
  const settled = await Promise.allSettled(groups.map(([, group]) => process(group)));
  const errors: Array<{ partition: SourceId; error: unknown }> = [];
  const failures: Array<{ itemIdentifier: { partition: SourceId; offset: number } }> = [];
  settled.forEach((result, index) => {
    const [partition, group] = groups[index] as [SourceId, SourceRecord[]];
    if (result.status === 'fulfilled') return;
    errors.push({ partition, error: result.reason });
    const offset = Math.min(...group.map((record) => record.offset));
    failures.push({ itemIdentifier: { partition, offset } });
  });
  return { response: { batchItemFailures: failures }, errors, partitions: groups.length };
};
