// A small seeded generator (mulberry32) so fixtures are reproducible.
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [lo, hi), rounded to float32 so it survives the trip through f32 exactly. */
export function uniformF32(r: () => number, lo: number, hi: number): number {
  return Math.fround(lo + (hi - lo) * r());
}
