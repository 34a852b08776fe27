// Small deterministic training rows for protocol tests: two inputs
// (sin of the value index), one target (cos of the row index).
export function sineRows(rows: number): { x: Float32Array; t: Float32Array } {
  return {
    x: Float32Array.from({ length: rows * 2 }, (_, i) => Math.sin(i)),
    t: Float32Array.from({ length: rows }, (_, i) => Math.cos(i)),
  };
}
