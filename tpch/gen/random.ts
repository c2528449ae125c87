/**
 * A seekable, counter-based pseudo-random generator with one independent stream per column.
 *
 * Each stream has a 32-bit seed (derived from the column's name). `seek(row)` mixes the seed with
 * the row number into a fresh state, so any row range can be generated without generating the
 * rows before it — the same idea as dbgen's per-column seeds, but with O(1) seeking. Draws within
 * a row (e.g. the lines of one order) continue from that state with a mulberry32 step.
 */

const TWO_32 = 4294967296;

/** FNV-1a hash of a column name, used as the seed of its stream. */
export function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 32-bit finaliser (murmur3 fmix32). */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export class RandomStream {
  private readonly seed: number;
  private state = 0;

  constructor(name: string) {
    this.seed = seedOf(name);
  }

  /** Positions the stream at the start of `row` (a non-negative integer below 2^53). */
  seek(row: number): void {
    const lo = row >>> 0;
    const hi = Math.floor(row / TWO_32) >>> 0;
    this.state = mix32(mix32(this.seed ^ lo) ^ Math.imul(hi + 0x9e3779b9, 0x85ebca6b));
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  next(): number {
    const s = (this.state = (this.state + 0x6d2b79f5) | 0);
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform integer in [lo, hi] (inclusive). One draw for ranges up to 2^21, else two. */
  int(lo: number, hi: number): number {
    const range = hi - lo + 1;
    if (range <= 0x200000) return lo + Math.floor((this.next() * range) / TWO_32);
    const u = (this.next() * 0x200000 + (this.next() >>> 11)) / 9007199254740992;
    return lo + Math.floor(u * range);
  }
}
