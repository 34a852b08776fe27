// The sample store: rows of (inputs, targets) held in the arena, so that a
// board can train epochs on data it already has (uploaded once by the host, or
// collected by the firmware) instead of data streamed to it every epoch.
//
// Its capacity is the configuration block's C_STORE_ROWS, its size part of
// the plan (plan.ts storeBytesWide): rows x (inputs + targetColumns) f32,
// then one u32 per row for the current epoch's order. Rows are kept raw, in
// the order they arrived; once the store is full it is a ring buffer and a
// new row overwrites the oldest. A row is named by its age: row 0 is the
// oldest held, row held-1 the newest.
import { C_STORE_ROWS, C_SEED, cfgU32, width } from "./config";
import { storeOrderBytes, storeRowsBytes, targetColumns } from "./plan";
import { epochOrder } from "./shuffle";

export let storeData: usize = 0; //  capacity x rowFloats() f32
export let storeOrder: usize = 0; // capacity x u32: the epoch's order, rows by age
export let capacity: u32 = 0;
export let held: u32 = 0;
/** The slot the next row is written to. */
let nextSlot: u32 = 0;
/** Rows the epoch's order covers; 0 = no order (none computed since the store last changed). */
export let orderRows: u32 = 0;

/** Floats per stored row: the inputs, then the targets, as BATCH carries them. */
export function rowFloats(): i32 {
  return width(0) + targetColumns();
}

/**
 * Lays the store out at `at` for the configured model (its plan already fits
 * memory, so these sizes are exact) and empties it; returns where it ends.
 */
export function layoutStore(at: usize): usize {
  capacity = cfgU32(C_STORE_ROWS);
  storeData = at;
  storeOrder = at + <usize>storeRowsBytes(capacity);
  clearStore();
  return storeOrder + <usize>storeOrderBytes(capacity);
}

export function clearStore(): void {
  held = 0;
  nextSlot = 0;
  orderRows = 0;
}

/** Where the next row goes (rowFloats() f32); valid only with a store (capacity > 0). */
export function nextRowSlot(): usize {
  return storeData + (<usize>nextSlot * <usize>rowFloats() << 2);
}

/** Takes the row just written at nextRowSlot(): the ring moves on, the epoch's order is void. */
export function commitRow(): void {
  if (capacity == 0) return;
  nextSlot = nextSlot + 1 == capacity ? 0 : nextSlot + 1;
  if (held < capacity) held++;
  orderRows = 0;
}

/** Appends the row of rowFloats() f32 at `src` (e.g. a STORE frame's payload). */
export function appendRow(src: usize): void {
  if (capacity == 0) return;
  const dst = nextRowSlot();
  const n = rowFloats();
  for (let i = 0; i < n; i++) store<u32>(dst + (<usize>i << 2), load<u32>(src + (<usize>i << 2)));
  commitRow();
}

/** The address of the row of age `row` (0 = the oldest held; row < held). */
export function rowAt(row: u32): usize {
  return rowAtWith(row, <usize>rowFloats() << 2);
}

/**
 * rowAt for a caller that knows the row's size in bytes (rowFloats() x 4):
 * no call per row. The slot is oldest + row wrapped once (both are below
 * capacity, so one subtraction wraps it; in u64 so the sum cannot overflow),
 * not a u64 remainder (a library call on a 32-bit CPU).
 */
// @ts-ignore: decorator
@inline
export function rowAtWith(row: u32, rowBytes: usize): usize {
  // The oldest row sits at nextSlot once the ring is full, at slot 0 before.
  const oldest: u64 = held < capacity ? 0 : <u64>nextSlot;
  let slot = oldest + <u64>row;
  if (slot >= <u64>capacity) slot -= <u64>capacity;
  return storeData + <usize>slot * rowBytes;
}

/** Computes the epoch's order of the rows held: 0..held-1, or the host's seeded shuffle for `epoch`. */
export function startEpoch(epoch: u32, shuffle: bool): void {
  epochOrder(storeOrder, held, cfgU32(C_SEED), epoch, shuffle);
  orderRows = held;
}
