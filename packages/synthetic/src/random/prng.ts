/**
 * A small, fast, seeded PRNG (sfc32) and the seed derivation that makes every patient depend only on
 * (seed, index, stream). Nothing here reads the clock or Math.random, so the same inputs give the same bytes.
 */

/** Mixes a 32-bit integer (the finaliser of MurmurHash3): close inputs give unrelated outputs. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a short string (FNV-1a then mixed), used to name independent random streams. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** A seeded random source with the helpers the generator needs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seeds: number[]) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = 1;
    for (const seed of seeds) {
      this.a = mix32(this.a ^ seed);
      this.b = mix32(this.b + seed + 0x632be5ab);
      this.c = mix32(this.c ^ Math.imul(seed, 0x2545f491));
    }
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** sfc32: the next 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One element, chosen with the given relative weights. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /**
   * An approximately normal value (Irwin-Hall: the sum of 12 uniforms less 6). Only +, - and * are used, which
   * IEEE 754 rounds the same everywhere, unlike Math.log or Math.cos: so the bytes cannot drift between runtimes.
   */
  normal(mean: number, sd: number): number {
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += this.next();
    return mean + sd * (sum - 6);
  }

  /** Up to n distinct elements, in a random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    const out: T[] = [];
    while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0] as T);
    return out;
  }
}

/** The random stream for one purpose (e.g. 'history', 'faults') of one patient: depends on nothing else. */
export function rngFor(seed: number, index: number, stream: string): Rng {
  return new Rng(seed >>> 0, index >>> 0, hashString(stream));
}
