// The pump's own ERROR frames in a board's output (boards/common/error_frame.h:
// type 0xFF; payload code, for-type, detail i16, boot id u32, message), read
// with the tests' spec-side frame decoder, independent of host/ and assembly/.
import { framesIn } from "../helpers/spec-frames";

export const FRAME_ERROR = 0xff;
export const ERR_TRAP = 10;
export const ERR_LOAD_FAILED = 11;
const ERROR_FIXED_BYTES = 8; // code, for-type, detail, boot id

export interface ErrorFrame { code: number; bootId: number; message: string }

/** Every valid ERROR frame between 0x00 delimiters in `stream`. */
export function errorFramesIn(stream: Uint8Array): ErrorFrame[] {
  return framesIn(stream)
    .filter((f) => f.type === FRAME_ERROR && f.payload.length >= ERROR_FIXED_BYTES)
    .map((f) => ({
      code: f.payload[0],
      bootId: new DataView(f.payload.buffer, f.payload.byteOffset, f.payload.length).getUint32(4, true),
      message: Buffer.from(f.payload.subarray(ERROR_FIXED_BYTES)).toString("utf8"),
    }));
}
