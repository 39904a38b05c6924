/** A seeded PRNG for the simulator (mulberry32): deterministic, fast, never Math.random. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Exponentially distributed with the given mean. */
  exp(mean: number): number;
}

/**
 * mulberry32. A class, not closures: every stream shares the same methods, so the engine's
 * call sites stay monomorphic and V8 inlines them (no boxed doubles per draw).
 */
class Mulberry32 implements Rng {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    this.a = (this.a + 0x6d2b79f5) | 0;
    const a = this.a;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  exp(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }
}

export function makeRng(seed: number): Rng {
  return new Mulberry32(seed);
}

/** A child seed derived from a parent seed and an index (independent streams per VM). */
export function deriveSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
