// Status codes returned by the engine's entry points and carried by the
// protocol's ERROR frame. Mirrored in host/protocol/status.ts.
export namespace Status {
  export const OK: i32 = 0;
  export const BAD_CONFIG: i32 = 1; //      a field out of range (which one: detail)
  export const TOO_BIG: i32 = 2; //         the plan does not fit the memory limit
  export const NOT_CONFIGURED: i32 = 3; //  training before CONFIGURE
  export const BAD_ROWS: i32 = 4; //        0 rows, or more than the chunk holds
  export const BAD_RANGE: i32 = 5; //       weights offset/count outside the model
  export const BAD_LABEL: i32 = 6; //       a ce class label outside 0..classes-1
  export const BAD_FRAME: i32 = 7; //       unknown type or wrong payload length
  export const OUT_OF_ORDER: i32 = 8; //    a sequence number ahead of the expected one
  export const NON_FINITE: i32 = 9; //      the loss, a gradient or an updated weight turned NaN/Inf
  export const TRAP: i32 = 10; //           reported by the firmware: the module trapped
  export const LOAD_FAILED: i32 = 11; //    reported by the firmware: the module did not load
  export const NO_SESSION: i32 = 12; //     a request before HELLO (e.g. the board rebooted)
  export const RANGE_COLLAPSED: i32 = 13; // int16: a tensor's range left f32's (docs/int16.md; detail: the layer)
}
