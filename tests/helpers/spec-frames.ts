// Frames written here from the spec (docs/protocol.md), independent of host/
// and assembly/: the tests of the C pump and firmware read what a board sends
// with a second implementation, so a bug shared by the host and the module
// cannot hide itself.

export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

export function cobsEncode(b: Uint8Array): Uint8Array {
  const out: number[] = [0];
  let code = 0, run = 1;
  for (const x of b) {
    if (x === 0) { out[code] = run; code = out.length; out.push(0); run = 1; continue; }
    out.push(x);
    if (++run === 0xff) { out[code] = run; code = out.length; out.push(0); run = 1; }
  }
  out[code] = run;
  out.push(0);
  return Uint8Array.from(out);
}

export function cobsDecode(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < b.length) {
    const code = b[i++];
    if (code === 0) throw new Error("zero inside a COBS frame");
    for (let k = 1; k < code; k++) {
      if (i >= b.length) throw new Error("COBS block runs past the end");
      out.push(b[i++]);
    }
    if (code < 0xff && i < b.length) out.push(0);
  }
  return Uint8Array.from(out);
}

export interface Frame { type: number; seq: number; payload: Uint8Array }

export function encodeFrame(type: number, seq: number, payload = new Uint8Array(0)): Uint8Array {
  const raw = new Uint8Array(5 + payload.length + 4);
  const v = new DataView(raw.buffer);
  raw[0] = type; v.setUint16(1, seq, true); v.setUint16(3, payload.length, true);
  raw.set(payload, 5);
  v.setUint32(5 + payload.length, crc32(raw.subarray(0, 5 + payload.length)), true);
  return cobsEncode(raw);
}

/** Decodes one frame (the bytes between delimiters); null if it is not a valid frame. */
export function decodeFrame(enc: Uint8Array): Frame | null {
  let raw: Uint8Array;
  try { raw = cobsDecode(enc); } catch { return null; }
  if (raw.length < 9) return null;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const len = v.getUint16(3, true);
  if (len !== raw.length - 9) return null;
  if (crc32(raw.subarray(0, 5 + len)) !== v.getUint32(5 + len, true)) return null;
  return { type: raw[0], seq: v.getUint16(1, true), payload: raw.slice(5, 5 + len) };
}

/** Every valid frame in a byte stream (text and junk between delimiters are skipped). */
export function framesIn(stream: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  let start = 0;
  for (let i = 0; i < stream.length; i++) {
    if (stream[i] !== 0) continue;
    const f = decodeFrame(stream.subarray(start, i));
    if (f) frames.push(f);
    start = i + 1;
  }
  return frames;
}
