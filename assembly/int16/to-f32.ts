// toF32(v, S): the f32 nearest v 2^-S for an integer v (docs/int16.md §4).
// The integer is converted as IEEE does (round to nearest even), then the
// scale is applied to the exponent field: past the largest f32 it saturates
// to +-FLT_MAX; below the normal range it flushes to +-0 (the callers count
// the non-zero integers that came out 0: RANGE_COLLAPSED when all did).

@inline function scaled(f: f32, S: i32): f32 {
  const bits = reinterpret<u32>(f);
  if ((bits & 0x7fffffff) == 0) return 0;
  const e = <i32>((bits >>> 23) & 0xff) - S;
  if (e >= 255) return reinterpret<f32>((bits & 0x80000000) | 0x7f7fffff);
  if (e <= 0) return reinterpret<f32>(bits & 0x80000000);
  return reinterpret<f32>((bits & 0x807fffff) | (<u32>e << 23));
}

@inline export function toF32From32(v: i32, S: i32): f32 { return scaled(<f32>v, S); }
@inline export function toF32From64(v: i64, S: i32): f32 { return scaled(<f32>v, <i32>S); }
