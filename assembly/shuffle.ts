// The host's seeded shuffle (host/data/shuffle.ts epochOrder, host/data/rng.ts
// mulberry32), ported operation for operation, so that an epoch shuffled on
// the board visits the rows in exactly the order the host would have streamed
// them: same u32 draws (i32 multiplies wrap as Math.imul does), same f64
// division by 2^32, same floor, same Fisher-Yates from the end.

/** The constant epoch numbers are spread by: (seed ^ imul(epoch + 1, GOLDEN)) seeds the epoch. */
const EPOCH_SPREAD: u32 = 0x9e3779b1;
const MULBERRY_INCREMENT: u32 = 0x6d2b79f5;
const TWO_TO_32: f64 = 4294967296.0;

let state: u32 = 0;

/** mulberry32's next draw as the host returns it: a u32 over 2^32, in [0, 1). */
function nextUnit(): f64 {
  state += MULBERRY_INCREMENT;
  let t = state;
  t = (t ^ (t >> 15)) * (t | 1);
  t ^= t + (t ^ (t >> 7)) * (t | 61);
  return <f64>(t ^ (t >> 14)) / TWO_TO_32;
}

/** The seed of epoch `epoch` (0-based) of a run seeded `seed`. */
export function epochSeed(seed: u32, epoch: u32): u32 {
  return seed ^ ((epoch + 1) * EPOCH_SPREAD);
}

/**
 * Writes the epoch's order of `rows` rows at `order` (u32 each): 0..rows-1,
 * then, when `shuffle`, the host's Fisher-Yates with the epoch's seed.
 */
export function epochOrder(order: usize, rows: u32, seed: u32, epoch: u32, shuffle: bool): void {
  for (let i: u32 = 0; i < rows; i++) store<u32>(order + (<usize>i << 2), i);
  if (!shuffle || rows < 2) return;
  state = epochSeed(seed, epoch);
  for (let i: u32 = rows - 1; i > 0; i--) {
    const j = <u32>Math.floor(nextUnit() * <f64>(i + 1));
    const a = order + (<usize>i << 2);
    const b = order + (<usize>j << 2);
    const tmp = load<u32>(a);
    store<u32>(a, load<u32>(b));
    store<u32>(b, tmp);
  }
}
