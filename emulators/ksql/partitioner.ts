/**
 * Kafka's default partitioner for keyed records (`Utils.murmur2` and `Utils.toPositive` of the
 * Java client, which Kafka Streams also uses to write repartition topics): the same key bytes land
 * on the same partition whichever client wrote them.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's 32-bit murmur2 of a byte array, as a signed 32-bit integer (Java `int`). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k =
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24) |
      0;
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length % 4;
  if (rest === 3) h ^= (data[whole + 2] as number) << 16;
  if (rest >= 2) h ^= (data[whole + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[whole] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's default partitioner picks for a key: `toPositive(murmur2(key)) % partitions`.
 * A null key (which the Java client would spread round-robin) maps to partition 0.
 */
export function partitionForKey(key: Uint8Array | null, partitions: number): number {
  if (key === null || partitions <= 1) return 0;
  return (murmur2(key) & 0x7fffffff) % partitions;
}
