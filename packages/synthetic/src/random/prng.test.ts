import { describe, expect, it } from 'vitest';
import { Rng, rngFor } from './prng.js';

describe('Rng', () => {
  it('gives the same sequence for the same seeds and a different one otherwise', () => {
    const a = rngFor(42, 7, 'person');
    const b = rngFor(42, 7, 'person');
    const c = rngFor(42, 8, 'person');
    const d = rngFor(42, 7, 'faults');
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(seqA);
    expect(Array.from({ length: 20 }, () => d.nextUint32())).not.toEqual(seqA);
  });

  it('spreads floats evenly over [0, 1)', () => {
    const rng = new Rng(1);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = rng.next();
      if (x < 0 || x >= 1) outside++;
      else buckets[Math.floor(x * 10)]! += 1;
    }
    expect(outside).toBe(0);
    for (const count of buckets) expect(count).toBeGreaterThan(1_800);
  }, 30_000);

  it('int covers both ends and weighted follows the weights', () => {
    const rng = new Rng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(rng.int(1, 4));
    expect([...seen].sort()).toEqual([1, 2, 3, 4]);
    let heavy = 0;
    for (let i = 0; i < 10_000; i++) if (rng.weighted(['a', 'b'], [9, 1]) === 'a') heavy++;
    expect(heavy).toBeGreaterThan(8_700);
    expect(heavy).toBeLessThan(9_300);
  });
});

describe('Rng.normal', () => {
  it('centres on the mean with about the given spread', () => {
    const rng = new Rng(11);
    const values = Array.from({ length: 20_000 }, () => rng.normal(10, 2));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(mean).toBeGreaterThan(9.95);
    expect(mean).toBeLessThan(10.05);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });
});
