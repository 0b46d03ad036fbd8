/**
 * A small, fast, seedable pseudo-random generator (sfc32, seeded through splitmix32) and
 * the few distributions the simulation needs. `Math.random` cannot be seeded, and the
 * load generator's contract is "same seed → same stream, byte for byte".
 */

const splitmix32 = (state: number): (() => number) => {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
};

/**
 * Hashes any mix of numbers and strings into a 32-bit seed (FNV-1a over their text, then
 * mixed), to derive independent streams: `hashSeed(seed, 'profiles', userIndex)`.
 */
export const hashSeed = (...parts: ReadonlyArray<string | number>): number => {
  let h = 0x811c9dc5;
  const text = parts.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return splitmix32(h)();
};

// Each byte's two hex digits as one big-endian 16-bit ASCII pair, e.g. 0xab → "ab".
const HEX_CODES = Uint16Array.from({ length: 256 }, (_, i) => {
  const digits = i.toString(16).padStart(2, '0');
  return (digits.charCodeAt(0) << 8) | digits.charCodeAt(1);
});
const UUID_BUFFER = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');

const writeHex = (out: Buffer, offset: number, word: number) => {
  out.writeUInt16BE(HEX_CODES[word >>> 24] as number, offset);
  out.writeUInt16BE(HEX_CODES[(word >>> 16) & 0xff] as number, offset + 2);
  out.writeUInt16BE(HEX_CODES[(word >>> 8) & 0xff] as number, offset + 4);
  out.writeUInt16BE(HEX_CODES[word & 0xff] as number, offset + 6);
};

/** A seeded random source. Not cryptographic: for simulation only. */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    const init = splitmix32(seed);
    this.#a = init();
    this.#b = init();
    this.#c = init();
    this.#d = init();
    // sfc32 needs a few rounds before its output is well mixed.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  /** An integer in [min, max] (both included). */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('pick from an empty array');
    return item;
  }

  /** An exponentially distributed value with the given mean (memoryless waits). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A geometric count ≥ 0 with the given mean (how many more steps before stopping). */
  geometric(mean: number): number {
    const stop = 1 / (mean + 1);
    let n = 0;
    while (!this.chance(stop)) n++;
    return n;
  }

  /** An RFC 9562 version-4 UUID whose bits come from this generator (so it is reproducible). */
  uuid(): string {
    // Hot path (one per event): hex digits go into one reused buffer and come out as a
    // single flat string, rather than twenty concatenations.
    const out = UUID_BUFFER;
    writeHex(out, 0, this.uint32());
    const b = this.uint32();
    const c = this.uint32();
    writeHex(out, 28, this.uint32());
    out.writeUInt16BE(HEX_CODES[b >>> 24] as number, 9);
    out.writeUInt16BE(HEX_CODES[(b >>> 16) & 0xff] as number, 11);
    out.writeUInt16BE(HEX_CODES[0x40 | ((b >>> 8) & 0x0f)] as number, 14);
    out.writeUInt16BE(HEX_CODES[b & 0xff] as number, 16);
    out.writeUInt16BE(HEX_CODES[0x80 | (c >>> 26)] as number, 19);
    out.writeUInt16BE(HEX_CODES[(c >>> 16) & 0xff] as number, 21);
    out.writeUInt16BE(HEX_CODES[(c >>> 8) & 0xff] as number, 24);
    out.writeUInt16BE(HEX_CODES[c & 0xff] as number, 26);
    return out.toString('latin1', 0, 36);
  }

  /** Shuffles an array in place (Fisher–Yates). */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const a = items[i] as T;
      items[i] = items[j] as T;
      items[j] = a;
    }
    return items;
  }
}

/** Picks keys by fixed weights, e.g. `{ page_view: 5, click: 3 }`. */
export class WeightedPicker<K> {
  readonly #keys: K[];
  readonly #cumulative: number[];
  readonly #total: number;

  constructor(weights: ReadonlyArray<readonly [K, number]>) {
    this.#keys = weights.map(([key]) => key);
    let sum = 0;
    this.#cumulative = weights.map(([, weight]) => {
      sum += weight;
      return sum;
    });
    this.#total = sum;
    if (!(sum > 0)) throw new RangeError('weights must add up to more than 0');
  }

  pick(random: Random): K {
    const target = random.next() * this.#total;
    const index = this.#cumulative.findIndex((bound) => target < bound);
    return this.#keys[index === -1 ? this.#keys.length - 1 : index] as K;
  }
}

/**
 * Zipf-distributed ranks in [0, n): rank r is drawn with probability ∝ 1 / (r + 1)^s.
 * Web page and product popularity follow this shape (a few items take most views).
 * Sampling is a binary search over the precomputed cumulative distribution.
 */
export class Zipf {
  readonly #cdf: Float64Array;

  constructor(
    readonly n: number,
    readonly exponent = 1.1,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('Zipf needs n ≥ 1');
    this.#cdf = new Float64Array(n);
    let sum = 0;
    for (let r = 0; r < n; r++) {
      sum += 1 / (r + 1) ** exponent;
      this.#cdf[r] = sum;
    }
    for (let r = 0; r < n; r++) this.#cdf[r] = (this.#cdf[r] as number) / sum;
  }

  /** A rank: 0 is the most popular. */
  sample(random: Random): number {
    const target = random.next();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#cdf[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
