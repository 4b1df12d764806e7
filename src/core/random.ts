// A small seeded PRNG for data order: the same seed gives the same numbers on every platform.
// Only 32-bit integer ops (Math.imul, >>>), so results never depend on the engine's float rounding.
import { ValueError } from './errors.js';

/** Mixes a 32-bit value into a well-distributed one (the splitmix32 / murmur3 finaliser). */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Derives an independent stream seed from a base seed and a counter (e.g. seed and epoch). */
export function deriveSeed(seed: number, stream: number): number {
  return mix32((mix32(seed >>> 0) + Math.imul(stream >>> 0, 0x9e3779b9)) >>> 0);
}

/** mulberry32: a tiny 32-bit generator with a 2^32 period, ample for shuffling datasets. */
export class Random {
  private state: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new ValueError(`Random: seed must be an integer, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1), exactly uint32 / 2^32. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n): floor(u · n / 2^32), exact in doubles (so platform-independent) for n ≤ 2^21. */
  int(n: number): number {
    return Math.floor((this.nextUint32() * n) / 4294967296);
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { [i: number]: number | unknown; length: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }
}

/** A permutation of 0..n-1, the same for the same (n, seed). */
export function permutation(n: number, seed: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return new Random(seed).shuffle(p);
}

/** `n` seeded uniform values in [lo, hi) as float32: the inputs of tests and benchmarks (one generator for both). */
export function uniformArray(n: number, seed: number, lo = -1, hi = 1): Float32Array<ArrayBuffer> {
  const r = new Random(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + r.next() * (hi - lo);
  return out;
}
