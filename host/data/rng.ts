// The project's seeded random numbers: mulberry32 (32-bit state, one draw per
// call), small and reproducible on every engine. Shuffling, the built-in data
// sets and the fault-injecting link all draw from it.
/** Uniform numbers in [0, 1), each the next uint32 / 2^32. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
