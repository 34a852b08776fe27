// A small seeded generator (PCG32, O'Neill 2014) so that initial weights are
// the same bits on every engine. Not torch's generator: same distributions,
// different draws.
let state: u64 = 0;
const MULT: u64 = 6364136223846793005;
const INC: u64 = 1442695040888963407;

export function seedRng(seed: u32): void {
  state = 0;
  nextU32();
  state += <u64>seed;
  nextU32();
}

export function nextU32(): u32 {
  const old = state;
  state = old * MULT + INC;
  const xorshifted = <u32>(((old >> 18) ^ old) >> 27);
  const rot = <u32>(old >> 59);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

/** Uniform in [-bound, bound), 24 random bits. */
export function uniform(bound: f32): f32 {
  const u = <f32>(nextU32() >> 8) * (1.0 / 16777216.0);
  return (2 * u - 1) * bound;
}
