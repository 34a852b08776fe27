// A small seeded generator (mulberry32, the host's own) so fixtures are reproducible.
import { mulberry32 } from "../../host/data/rng";

export const rng = mulberry32;

/** Uniform in [lo, hi), rounded to float32 so it survives the trip through f32 exactly. */
export function uniformF32(r: () => number, lo: number, hi: number): number {
  return Math.fround(lo + (hi - lo) * r());
}
