// Byte layouts of every frame payload, as offsets into the payload (the bytes
// after the frame header). docs/protocol.md describes them; host/ mirrors them.

/** ERROR (type 0xFF): why a request failed. */
export namespace ErrorPayload {
  export const CODE = 0; //      u8  Status.*
  export const FOR_TYPE = 1; //  u8  the request's type
  export const DETAIL = 2; //    i16 which field / what was expected
  export const BOOT_ID = 4; //   u32
  export const BYTES = 8;
}

/** HELLO reply. */
export namespace HelloReply {
  export const VERSION = 0; //      u8  PROTOCOL_VERSION
  export const CONFIGURED = 1; //   u8  0 / 1
  export const MAX_ROWS = 2; //     u16 rows per BATCH (the chunk), 0 unconfigured
  export const BUILD_ID = 4; //     u32
  export const BOOT_ID = 8; //      u32
  export const MEMORY_LIMIT = 12; // u32
  export const RX_PAYLOAD = 16; //  u16 largest request payload (saturates at 0xFFFF)
  export const TX_PAYLOAD = 18; //  u16 largest reply payload
  export const BUSY_US = 20; //     u32
  export const ROWS_TRAINED = 24; // u32
  export const STEPS = 28; //       u32
  export const BYTES = 32;
}

/** CONFIGURE reply: the status and the module's plan (bytes, u32 each). */
export namespace ConfigureReply {
  export const STATUS = 0; //       u8
  export const DETAIL = 2; //       i16 the refused config field's offset, or -1
  export const PARAMS = 4;
  export const GRADS = 8;
  export const OPTIMIZER = 12;
  export const ACTIVATIONS = 16;
  export const BUFFERS = 20;
  export const STATIC = 24;
  export const TOTAL = 28;
  export const MEMORY_LIMIT = 32;
  export const INPUT_STATS = 36; // the input statistics (0 unless normalising)
  export const STORE = 40; //       the sample store (0 unless configured with rows)
  export const BYTES = 44;
}

/** SET_WEIGHTS / GET_WEIGHTS request and reply. */
export namespace Region {
  export const WHICH = 0; //   u8  PARAMS, OPTIMIZER, INPUT_STATS or CONFIG
  export const COUNT = 2; //   u16 reply: floats that follow
  export const OFFSET = 4; //  u32 first float
  export const GET_COUNT = 8; // u16 request (GET): floats wanted
  export const GET_BYTES = 10;
  export const DATA = 8; //    f32... request (SET) and reply (GET)
  export const HEADER = 8;
  export const PARAMS: u8 = 0;
  export const OPTIMIZER: u8 = 1;
  export const INPUT_STATS: u8 = 2; // mean[nIn] then std[nIn] (input-stats.ts); empty unless normalising
  /** The configuration block the model was configured with, as CONFIG_BYTES / 4 words (raw bytes); read-only: SET is BAD_RANGE. */
  export const CONFIG: u8 = 3;
}

/** BATCH / EVAL request. */
export namespace BatchRequest {
  export const FLAGS = 0; //  u8  BatchFlag.*
  export const ROWS = 2; //   u16
  export const STEP = 4; //   u32 the step count to set (BatchFlag.SET_STEP)
  export const DATA = 8; //   rows x (inputs, targets) f32
}

export namespace BatchFlag {
  export const ENDS_BATCH: u8 = 1; //   BATCH: the optimizer steps after this chunk
  export const WITH_TARGETS: u8 = 2; // EVAL: targets follow each row's inputs
  export const SET_STEP: u8 = 4; //     BATCH: set the step count first
}

/** BATCH reply. */
export namespace BatchReply {
  export const STATUS = 0; //    u8
  export const STEPPED = 1; //   u8
  export const ROWS = 2; //      u16
  export const BUSY_US = 4; //   u32
  export const LOSS_SUM = 8; //  f64
  export const STEPS = 16; //    u32
  export const LAYERS = 20; //   u8, then 3 bytes of padding
  export const PAD = 21;
  export const NORMS = 24; //    f32 per layer
}

/** EVAL reply. */
export namespace EvalReply {
  export const STATUS = 0;
  export const PAD = 1;
  export const ROWS = 2;
  export const BUSY_US = 4;
  export const LOSS_SUM = 8;
  export const OUTPUTS = 16; //  rows x outputs f32
}

/** SET_LR request: the learning rate, f64. */
export namespace SetLr {
  export const LR = 0;
  export const BYTES = 8;
}

/** SET_LR and RESET reply: one status byte. */
export namespace StatusReply {
  export const STATUS = 0;
  export const BYTES = 1;
}

/** STORE request: rows appended to the sample store (store.ts). */
export namespace StoreRequest {
  export const FLAGS = 0; //  u8  StoreFlag.*
  export const ROWS = 2; //   u16
  export const DATA = 8; //   rows x (inputs, targets) f32, as BATCH
}

export namespace StoreFlag {
  export const CLEAR: u8 = 1; // empty the store before appending
  export const ALL: u8 = CLEAR;
}

/** STORE reply. */
export namespace StoreReply {
  export const STATUS = 0; //   u8, then 3 bytes of padding
  export const HELD = 4; //     u32 rows in the store
  export const CAPACITY = 8; // u32 rows it can hold
  export const BYTES = 12;
}

/** TRAIN_STORE request: one optimizer step over stored rows. The reply is BatchReply's. */
export namespace TrainStoreRequest {
  export const FLAGS = 0; //  u8  TrainStoreFlag.*, then 3 bytes of padding
  export const FIRST = 4; //  u32 position in the epoch's order
  export const ROWS = 8; //   u32 rows of the step, 1..65535
  export const EPOCH = 12; // u32 0-based epoch (seeds the shuffle)
  export const STEP = 16; //  u32 the step count to set (TrainStoreFlag.SET_STEP)
  export const BYTES = 20;
}

export namespace TrainStoreFlag {
  export const START_EPOCH: u8 = 1; // compute the epoch's order of the rows held first
  export const SHUFFLE: u8 = 2; //     that order is the seeded shuffle, else 0..held-1
  export const SET_STEP: u8 = 4; //    set the step count first, as BATCH
  export const ALL: u8 = START_EPOCH | SHUFFLE | SET_STEP;
}
