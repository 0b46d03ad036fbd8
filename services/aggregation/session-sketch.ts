import { createHash } from 'node:crypto';

/**
 * A HyperLogLog sketch of the distinct sessions of one minute on one source partition
 * (Flajolet, Fusy, Gandouet, Meunier, "HyperLogLog: the analysis of a near-optimal
 * cardinality estimation algorithm", 2007; the small-range correction is linear counting).
 *
 * It replaces the exact session-id set: a set grows with whatever session ids a sender
 * invents and one minute could exceed DynamoDB's 400 KB item limit, failing its batch for
 * good. A sketch has a fixed size — {@link SKETCH_BYTES} bytes, one write unit with its key —
 * whatever the input, and merging two sketches (register-wise maximum) is idempotent and
 * commutative, so a redelivered batch, however cut, changes nothing.
 *
 * The price is an estimate instead of an exact count: the relative standard error is
 * 1.04 / √m = {@link SESSION_SKETCH_STANDARD_ERROR} (3.3 %) for large counts; below about 2.5·m
 * sessions linear counting is used, whose standard error is {@link linearCountingStandardError}
 * — about 2 sessions at 100, 7 at 300, 17 at 700 (docs/data-model.md).
 */

/** Index bits: m = 2^10 = 1,024 registers. */
const INDEX_BITS = 10;
export const REGISTER_COUNT = 1 << INDEX_BITS;
/** A register holds a rank of at most 64 − 10 + 1 = 55: six bits. */
const REGISTER_BITS = 6;
/** 1,024 six-bit registers packed: 768 bytes. */
export const SKETCH_BYTES = (REGISTER_COUNT * REGISTER_BITS) / 8;
export const SESSION_SKETCH_STANDARD_ERROR = 1.04 / Math.sqrt(REGISTER_COUNT);

/**
 * The standard error, in sessions, of the linear-counting estimate of `count` distinct ids:
 * √(m·(e^t − t − 1)) with t = count/m (Whang, Vander-Zanden, Taylor, "A linear-time
 * probabilistic counting algorithm for database applications", 1990, eq. 5).
 */
export const linearCountingStandardError = (count: number): number => {
  const load = count / REGISTER_COUNT;
  return Math.sqrt(REGISTER_COUNT * (Math.exp(load) - load - 1));
};

const ALPHA = 0.7213 / (1 + 1.079 / REGISTER_COUNT);
const RANK_BITS = 64 - INDEX_BITS;

/** The 64-bit hash of a session id: the first eight bytes of its SHA-256. */
const hash64 = (id: string): bigint => createHash('sha256').update(id).digest().readBigUInt64BE(0);

const rankOf = (rest: bigint): number => {
  // Position of the leftmost 1 in the RANK_BITS-bit remainder, counted from 1.
  for (let bit = RANK_BITS - 1; bit >= 0; bit -= 1) {
    if ((rest >> BigInt(bit)) & 1n) return RANK_BITS - bit;
  }
  return RANK_BITS + 1;
};

export class SessionSketch {
  readonly #registers: Uint8Array;

  private constructor(registers: Uint8Array) {
    this.#registers = registers;
  }

  static empty(): SessionSketch {
    return new SessionSketch(new Uint8Array(REGISTER_COUNT));
  }

  /** Reads a packed sketch; throws RangeError on a value of the wrong size. */
  static fromBytes(bytes: Uint8Array): SessionSketch {
    if (bytes.length !== SKETCH_BYTES) {
      throw new RangeError(`a session sketch is ${SKETCH_BYTES} bytes, not ${bytes.length}`);
    }
    const registers = new Uint8Array(REGISTER_COUNT);
    for (let i = 0; i < REGISTER_COUNT; i += 4) {
      const at = (i / 4) * 3;
      const word = ((bytes[at] ?? 0) << 16) | ((bytes[at + 1] ?? 0) << 8) | (bytes[at + 2] ?? 0);
      registers[i] = (word >> 18) & 0x3f;
      registers[i + 1] = (word >> 12) & 0x3f;
      registers[i + 2] = (word >> 6) & 0x3f;
      registers[i + 3] = word & 0x3f;
    }
    return new SessionSketch(registers);
  }

  static of(ids: Iterable<string>): SessionSketch {
    const sketch = SessionSketch.empty();
    for (const id of ids) sketch.add(id);
    return sketch;
  }

  add(id: string): void {
    const h = hash64(id);
    const index = Number(h >> BigInt(RANK_BITS));
    const rank = rankOf(h & ((1n << BigInt(RANK_BITS)) - 1n));
    if (rank > (this.#registers[index] ?? 0)) this.#registers[index] = rank;
  }

  /** The register-wise maximum of both: the sketch of the union. */
  union(other: SessionSketch): SessionSketch {
    const registers = new Uint8Array(REGISTER_COUNT);
    for (let i = 0; i < REGISTER_COUNT; i += 1) {
      registers[i] = Math.max(this.#registers[i] ?? 0, other.#registers[i] ?? 0);
    }
    return new SessionSketch(registers);
  }

  /** Whether `other` adds nothing to this sketch (every register already as high). */
  covers(other: SessionSketch): boolean {
    return this.#registers.every((value, i) => value >= (other.#registers[i] ?? 0));
  }

  /** The estimated number of distinct ids, rounded. */
  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (const value of this.#registers) {
      sum += 2 ** -value;
      if (value === 0) zeros += 1;
    }
    const raw = (ALPHA * REGISTER_COUNT * REGISTER_COUNT) / sum;
    if (raw <= 2.5 * REGISTER_COUNT && zeros > 0) {
      return Math.round(REGISTER_COUNT * Math.log(REGISTER_COUNT / zeros));
    }
    return Math.round(raw);
  }

  toBytes(): Uint8Array {
    const bytes = new Uint8Array(SKETCH_BYTES);
    for (let i = 0; i < REGISTER_COUNT; i += 4) {
      const word =
        ((this.#registers[i] ?? 0) << 18) |
        ((this.#registers[i + 1] ?? 0) << 12) |
        ((this.#registers[i + 2] ?? 0) << 6) |
        (this.#registers[i + 3] ?? 0);
      const at = (i / 4) * 3;
      bytes[at] = (word >> 16) & 0xff;
      bytes[at + 1] = (word >> 8) & 0xff;
      bytes[at + 2] = word & 0xff;
    }
    return bytes;
  }
}
