// The frame: [type u8][seq u16][len u16][payload: len bytes][crc32 u32], all
// little-endian, CRC over type..payload, then COBS and a 0x00 delimiter.
// A reply has its request's type | 0x80 and its sequence number; ERROR is 0xFF.
export const HEADER: i32 = 5;
export const H_TYPE = 0; // u8
export const H_SEQ = 1; //  u16
export const H_LEN = 3; //  u16 payload bytes
export const TRAILER: i32 = 4;

export namespace Type {
  export const HELLO: u8 = 0x01;
  export const CONFIGURE: u8 = 0x02;
  export const SET_WEIGHTS: u8 = 0x03;
  export const GET_WEIGHTS: u8 = 0x04;
  export const BATCH: u8 = 0x05;
  export const EVAL: u8 = 0x06;
  export const SET_LR: u8 = 0x07;
  export const RESET: u8 = 0x08;
  export const STORE: u8 = 0x09; //       rows into the sample store
  export const TRAIN_STORE: u8 = 0x0a; // one optimizer step over stored rows
  export const REPLY: u8 = 0x80;
  export const ERROR: u8 = 0xff;
}

export const PROTOCOL_VERSION: u8 = 1;
