import { describe, expect, it } from 'vitest';
import { hashSeed, Random, Zipf } from '../../../load-generator/random.ts';

describe('Random', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    // Prepare
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);

    // Act
    const seqA = Array.from({ length: 100 }, () => a.uint32());
    const seqB = Array.from({ length: 100 }, () => b.uint32());
    const seqC = Array.from({ length: 100 }, () => c.uint32());

    // Assert
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it('makes RFC 9562 version-4 UUIDs', () => {
    const random = new Random(1);

    const ids = Array.from({ length: 1000 }, () => random.uuid());

    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws floats in [0, 1) with a uniform mean', () => {
    const random = new Random(7);

    const values = Array.from({ length: 20_000 }, () => random.next());

    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((sum, v) => sum + v, 0) / values.length).toBeCloseTo(0.5, 1);
  });

  it('derives different seeds from different parts', () => {
    expect(hashSeed(1, 'ids', 0)).toBe(hashSeed(1, 'ids', 0));
    expect(hashSeed(1, 'ids', 0)).not.toBe(hashSeed(1, 'ids', 1));
    expect(hashSeed(1, 'ids')).not.toBe(hashSeed(2, 'ids'));
  });
});

describe('Zipf', () => {
  it('draws rank r with probability proportional to 1 / (r + 1)^s', () => {
    // Prepare
    const n = 100;
    const zipf = new Zipf(n, 1.1);
    const random = new Random(3);
    const draws = 200_000;
    const counts = new Array<number>(n).fill(0);
    const norm = Array.from({ length: n }, (_, r) => 1 / (r + 1) ** 1.1).reduce((a, b) => a + b, 0);

    // Act
    for (let i = 0; i < draws; i++) {
      const rank = zipf.sample(random);
      counts[rank] = (counts[rank] ?? 0) + 1;
    }

    // Assert: the head follows the law within 5 %, and popularity falls with rank.
    for (const rank of [0, 1, 2, 4, 9]) {
      const expected = draws / (rank + 1) ** 1.1 / norm;
      expect(Math.abs((counts[rank] ?? 0) - expected) / expected).toBeLessThan(0.05);
    }
    expect(counts[0]).toBeGreaterThan((counts[1] ?? 0) * 1.8);
    expect(counts.slice(0, 10).reduce((a, b) => a + b, 0)).toBeGreaterThan(draws / 2);
  });

  it('never draws outside [0, n)', () => {
    const zipf = new Zipf(5);
    const random = new Random(9);

    const ranks = Array.from({ length: 10_000 }, () => zipf.sample(random));

    expect(new Set(ranks)).toEqual(new Set([0, 1, 2, 3, 4]));
  });
});
