// The pump's own ERROR frames in a board's output (boards/common/error_frame.h:
// type 0xFF; payload code, for-type, detail i16, boot id u32, message),
// decoded here from the spec, independent of host/ and assembly/.
export const FRAME_ERROR = 0xff;
export const ERR_TRAP = 10;
export const ERR_LOAD_FAILED = 11;
const HEADER_BYTES = 5; // type u8, seq u16, length u16
const CRC_BYTES = 4;
const ERROR_FIXED_BYTES = 8; // code, for-type, detail, boot id

export interface ErrorFrame { code: number; bootId: number; message: string }

function cobsDecode(b: Uint8Array): Uint8Array | null {
  const out: number[] = [];
  let i = 0;
  while (i < b.length) {
    const code = b[i++];
    if (code === 0) return null;
    for (let k = 1; k < code; k++) {
      if (i >= b.length) return null;
      out.push(b[i++]);
    }
    if (code < 0xff && i < b.length) out.push(0);
  }
  return Uint8Array.from(out);
}

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Every valid ERROR frame between 0x00 delimiters in `stream`. */
export function errorFramesIn(stream: Uint8Array): ErrorFrame[] {
  const found: ErrorFrame[] = [];
  let start = 0;
  for (let i = 0; i < stream.length; i++) {
    if (stream[i] !== 0) continue;
    const raw = cobsDecode(stream.subarray(start, i));
    start = i + 1;
    if (!raw || raw.length < HEADER_BYTES + CRC_BYTES + ERROR_FIXED_BYTES || raw[0] !== FRAME_ERROR) continue;
    const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
    const len = v.getUint16(3, true);
    if (len !== raw.length - HEADER_BYTES - CRC_BYTES) continue;
    if (crc32(raw.subarray(0, HEADER_BYTES + len)) !== v.getUint32(HEADER_BYTES + len, true)) continue;
    const p = raw.subarray(HEADER_BYTES, HEADER_BYTES + len);
    found.push({
      code: p[0], bootId: new DataView(p.buffer, p.byteOffset, p.length).getUint32(4, true),
      message: Buffer.from(p.subarray(ERROR_FIXED_BYTES)).toString("utf8"),
    });
  }
  return found;
}
