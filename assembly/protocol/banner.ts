// The line a board prints at power-up, readable in any serial monitor:
//   "edgeprop 0.1.0 pr=1 me=49152 bu=89abcdef bo=01234567\r\n" then 0x00
// (protocol version, memory limit in bytes, build id, boot id). The 0x00 ends
// it as a frame would, so a host's frame decoder starts clean after it; a
// host that sees it again mid-session knows the board restarted.
import { PROTOCOL_VERSION } from "./frame";

let cursor: usize = 0;
// ASCII, not AssemblyScript strings (UTF-16 plus a header): static bytes are RAM.
const NAME: usize = memory.data<u8>([101, 100, 103, 101, 112, 114, 111, 112, 32, 48, 46, 49, 46, 48]); // "edgeprop 0.1.0"

function ascii(p: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<u8>(cursor++, load<u8>(p + <usize>i));
}

function field(a: u8, b: u8): void { // " ab="
  store<u8>(cursor++, 32);
  store<u8>(cursor++, a);
  store<u8>(cursor++, b);
  store<u8>(cursor++, 61);
}

function decimal(v: u32): void {
  let digits: u32 = 1;
  for (let x = v; x >= 10; x /= 10) digits *= 10;
  for (; digits > 0; digits /= 10) store<u8>(cursor++, <u8>(48 + (v / digits) % 10));
}

function hex(v: u32): void {
  for (let s = 28; s >= 0; s -= 4) {
    const d = (v >>> <u32>s) & 15;
    store<u8>(cursor++, <u8>(d < 10 ? 48 + d : 87 + d));
  }
}

/** Writes the banner at `at`; returns its length. */
export function writeBanner(at: usize, memoryLimit: u32, buildId: u32, bootId: u32): i32 {
  cursor = at;
  ascii(NAME, 14);
  field(112, 114); // " pr=" protocol
  decimal(PROTOCOL_VERSION);
  field(109, 101); // " me=" memory limit, bytes
  decimal(memoryLimit);
  field(98, 117); //  " bu=" build id
  hex(buildId);
  field(98, 111); //  " bo=" boot id
  hex(bootId);
  store<u8>(cursor++, 13);
  store<u8>(cursor++, 10);
  store<u8>(cursor++, 0);
  return <i32>(cursor - at);
}
