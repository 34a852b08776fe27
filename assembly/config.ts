// The configuration block: one fixed little-endian record that says
// everything about a training run. The host fills it (directly in memory, or as
// the payload of a CONFIGURE frame) and `configure()` turns it into an arena.
// Its byte layout is documented in docs/protocol.md and mirrored in
// host/protocol/config-block.ts (the optimizer's fields: host/model/optimizer-fields.ts).
//
// Version 2 (160 bytes) is version 1 (128 bytes) with every offset kept and
// 32 bytes appended: NAdam's momentum_decay, clip_grad_value_'s limit, the
// frozen-layer count, the input flags, the sample store's rows and 8 reserved
// bytes (zero). A version-1 block is still taken: its appended fields read as
// zero. A module older than a field refuses a block that uses it (it sees a
// non-zero reserved byte).

export const CONFIG_BYTES: i32 = 160; //   the largest version's size (the static block)
export const CONFIG_V1_BYTES: i32 = 128;
export const CONFIG_VERSION: u8 = 2;
export const MAX_LAYERS: i32 = 8; // dense layers; sizes has MAX_LAYERS + 1 entries

// Field offsets.
export const C_VERSION = 0; //   u8
export const C_LAYERS = 1; //    u8  number of dense layers L
export const C_LOSS = 2; //      u8  Loss.*
export const C_OPT = 3; //       u8  Opt.*
export const C_FLAGS = 4; //     u8  Flag.*
export const C_INIT = 5; //      u8  Init.*
export const C_CHUNK = 6; //     u16 rows per chunk
export const C_SEED = 8; //      u32
export const C_SIZES = 12; //    u16 x 9: input size, then each layer's output size
export const C_ACTS = 30; //     u8 x 8: each layer's activation
export const C_LR = 40; //       f64 ...
export const C_MOMENTUM = 48;
export const C_DAMPENING = 56;
export const C_WEIGHT_DECAY = 64;
export const C_ALPHA = 72;
export const C_EPS = 80;
export const C_BETA1 = 88;
export const C_BETA2 = 96;
export const C_LR_DECAY = 104;
export const C_INITIAL_ACC = 112;
export const C_CLIP_NORM = 120; // 0 = no clipping
// Version 2 from here.
export const C_MOMENTUM_DECAY = 128; // f64 NAdam's momentum_decay (psi)
export const C_CLIP_VALUE = 136; //     f64 clip_grad_value_ limit, 0 = none
// The last f64 field: configure checks every f64 from C_LR up to here (finite, >= 0).
export const C_F64_LAST = C_CLIP_VALUE;
export const C_FROZEN = 144; //         u8  fine-tuning: dense layers 1..K fixed (0..L-1)
export const C_INPUT_FLAGS = 145; //    u8  InputFlag.*
export const C_PAD_146 = 146; //        u16 zero
export const C_STORE_ROWS = 148; //     u32 sample-store capacity in rows, 0 = none
export const C_PRECISION = 152; //      u8  Precision.* (docs/int16.md)
export const C_RESERVED = 153; //       7 bytes, zero: room for fields to come
export const C_RESERVED_END = 160;

export namespace Loss {
  export const MSE: u8 = 0;
  export const CE: u8 = 1;
  export const BCE: u8 = 2;
  export const LAST: u8 = BCE;
}
export namespace Opt {
  export const SGD: u8 = 0;
  export const ADAGRAD: u8 = 1;
  export const RMSPROP: u8 = 2;
  export const ADAM: u8 = 3;
  export const ADAMW: u8 = 4;
  export const NADAM: u8 = 5; //  config version 2
  export const RADAM: u8 = 6; //  config version 2
  export const LAST: u8 = RADAM;
}
export namespace Flag {
  export const NESTEROV: u8 = 1;
  export const CENTERED: u8 = 2;
  export const AMSGRAD: u8 = 4; // adam, adamw (config version 2)
  export const ALL: u8 = NESTEROV | CENTERED | AMSGRAD;
}
export namespace InputFlag {
  export const NORMALIZE: u8 = 1; // level 0 takes (x - mean) / std (input-stats.ts)
  export const ALL: u8 = NORMALIZE;
}
export namespace Precision {
  export const F32: u8 = 0;
  export const INT16: u8 = 1; // docs/int16.md: integer forward and backward, f32 optimizer
  export const LAST: u8 = INT16;
}
export namespace Init {
  export const PYTORCH: u8 = 0;
  export const XAVIER: u8 = 1;
  export const HE: u8 = 2;
  export const LAST: u8 = HE;
}
export namespace Act {
  export const IDENTITY: u8 = 0;
  export const RELU: u8 = 1;
  export const LEAKY_RELU: u8 = 2;
  export const SIGMOID: u8 = 3;
  export const TANH: u8 = 4;
  export const LAST: u8 = TANH;
}

// Static storage for the block itself: it lives in the data segment, so a
// configuration survives re-planning the arena.
export const configBlock: usize = memory.data(CONFIG_BYTES, 8);

/** Bytes a CONFIGURE payload of this version carries, 0 for an unknown version. */
export function configBytesOf(version: u8): i32 {
  if (version == 1) return CONFIG_V1_BYTES;
  if (version == CONFIG_VERSION) return CONFIG_BYTES;
  return 0;
}

/** A version-1 block leaves the appended fields as they were: they mean zero. */
export function clearFieldsPastVersion(): void {
  const end = configBytesOf(load<u8>(configBlock + <usize>C_VERSION));
  if (end == 0) return;
  for (let off = end; off < CONFIG_BYTES; off++) store<u8>(configBlock + <usize>off, 0);
}

@inline export function cfgU8(off: i32): u8 { return load<u8>(configBlock + <usize>off); }
@inline export function cfgU16(off: i32): u16 { return load<u16>(configBlock + <usize>off); }
@inline export function cfgU32(off: i32): u32 { return load<u32>(configBlock + <usize>off); }
@inline export function cfgF64(off: i32): f64 { return load<f64>(configBlock + <usize>off); }
@inline export function layerCount(): i32 { return <i32>cfgU8(C_LAYERS); }
/** Width of activation level `k`: 0 is the input, k >= 1 the output of dense layer k. */
@inline export function width(k: i32): i32 { return <i32>cfgU16(C_SIZES + 2 * k); }
@inline export function activationOf(layer: i32): u8 { return cfgU8(C_ACTS + layer - 1); }
/** Dense layers 1..frozenLayers() take no gradient and no optimizer step. */
@inline export function frozenLayers(): i32 { return <i32>cfgU8(C_FROZEN); }
@inline export function isInt16(): bool { return cfgU8(C_PRECISION) == Precision.INT16; }
@inline export function normalizesInputs(): bool { return (cfgU8(C_INPUT_FLAGS) & InputFlag.NORMALIZE) != 0; }

/** Optimizer state tensors per parameter (each the size of the parameters). */
export function optimizerSlots(opt: u8, flags: u8, momentum: f64): i32 {
  if (opt == Opt.SGD) return momentum != 0 ? 1 : 0;
  if (opt == Opt.ADAGRAD) return 1;
  if (opt == Opt.RMSPROP) return 1 + ((flags & Flag.CENTERED) != 0 ? 1 : 0) + (momentum > 0 ? 1 : 0);
  if (opt == Opt.ADAM || opt == Opt.ADAMW) return 2 + ((flags & Flag.AMSGRAD) != 0 ? 1 : 0); // m, v[, max v]
  return 2; // nadam, radam: first and second moments (NAdam's mu_product follows from the step count)
}
