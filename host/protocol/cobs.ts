// COBS framing, host side (the board's is assembly/protocol/cobs.ts).

/** Encodes `data` and appends the 0x00 delimiter. */
export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + Math.ceil(data.length / 254) + 2);
  let codeAt = 0, w = 1, code = 1;
  for (const b of data) {
    if (b === 0) {
      out[codeAt] = code; codeAt = w++; code = 1;
    } else {
      out[w++] = b;
      if (++code === 0xff) { out[codeAt] = code; codeAt = w++; code = 1; }
    }
  }
  out[codeAt] = code;
  out[w++] = 0;
  return out.subarray(0, w);
}

/** Decodes one frame's bytes (without the delimiter); null if malformed. */
export function cobsDecode(enc: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(enc.length);
  let r = 0, w = 0;
  while (r < enc.length) {
    const code = enc[r];
    if (code === 0 || r + code > enc.length) return null;
    r++;
    for (let i = 1; i < code; i++) out[w++] = enc[r++];
    if (code < 0xff && r < enc.length) out[w++] = 0;
  }
  return out.subarray(0, w);
}
