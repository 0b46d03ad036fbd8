import type { SourceRecord } from '../../../services/kafka/record.ts';

/** A seeded pseudo-random generator (mulberry32), so that a failing run can be replayed. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** One invocation of a delivery: the batch, and whether this attempt is made to fail. */
export type Invoke = (batch: SourceRecord[], attempt: { readonly fail: boolean }) => Promise<void>;

/**
 * Delivers partitions of records the way the Kafka event source mapping does: each batch
 * starts at every partition's committed offset, takes a random number of records from
 * each, and is retried after a failure with a new random cut (possibly shorter, possibly
 * longer); offsets are committed only after a batch succeeds.
 *
 * @returns how many invocations failed.
 */
export const deliverWithRetries = async (
  partitions: readonly (readonly SourceRecord[])[],
  invoke: Invoke,
  options: {
    readonly random: () => number;
    readonly maxBatchPerPartition: number;
    readonly failureRate: number;
  },
): Promise<number> => {
  const committed = partitions.map(() => 0);
  let failures = 0;
  while (committed.some((position, index) => position < (partitions[index]?.length ?? 0))) {
    if (failures > 1000) throw new Error('the delivery does not converge: every retry fails');
    const cuts = partitions.map((records, index) => {
      const start = committed[index] ?? 0;
      const size = 1 + Math.floor(options.random() * options.maxBatchPerPartition);
      return Math.min(records.length, start + size);
    });
    const batch = partitions.flatMap((records, index) => records.slice(committed[index], cuts[index]));
    const fail = options.random() < options.failureRate;
    try {
      await invoke(batch, { fail });
    } catch {
      failures += 1;
      continue;
    }
    cuts.forEach((cut, index) => {
      committed[index] = cut;
    });
  }
  return failures;
};
