// build/edgeprop-wasi.wasm: the same engine and protocol as a WASI command.
// _start is a complete simulated board: it prints the banner, then pumps
// frames from stdin to the module and replies to stdout until end of input.
// Any WASI runtime (node:wasi, wasm3, wasmtime) runs it as a board.
export * from "./index";
import { boot, rx, rx_buffer, rx_capacity, tx_buffer, add_busy_time } from "./protocol/board";

@external("wasi_snapshot_preview1", "fd_read")
declare function fd_read(fd: u32, iovs: usize, iovsLen: u32, nread: usize): u16;
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovsLen: u32, nwritten: usize): u16;
@external("wasi_snapshot_preview1", "random_get")
declare function random_get(buf: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "clock_time_get")
declare function clock_time_get(id: u32, precision: u64, time: usize): u16;

// One iovec (buf u32, len u32) and a result word.
const iov: usize = memory.data(16, 8);
const IOV_BUF = 0;
const IOV_LEN = 4;
const word: usize = memory.data(8, 8);

function writeAll(p: usize, n: i32): bool {
  while (n > 0) {
    store<u32>(iov, <u32>p, IOV_BUF);
    store<u32>(iov, <u32>n, IOV_LEN);
    if (fd_write(1, iov, 1, word) != 0) return false;
    const w = <i32>load<u32>(word);
    p += <usize>w;
    n -= w;
  }
  return true;
}

function micros(): u64 {
  clock_time_get(1, 1000, word); // monotonic
  return load<u64>(word) / 1000;
}

export function _start(): void {
  random_get(word, 4);
  if (!writeAll(tx_buffer(), boot(load<u32>(word), 0))) return;
  while (true) {
    store<u32>(iov, <u32>rx_buffer(), IOV_BUF);
    store<u32>(iov, <u32>rx_capacity(), IOV_LEN);
    if (fd_read(0, iov, 1, word) != 0) return;
    let n = <i32>load<u32>(word);
    if (n == 0) return; // end of input: the board is switched off
    let t0 = micros();
    let reply = rx(n);
    while (reply > 0) {
      add_busy_time(<u32>(micros() - t0));
      if (!writeAll(tx_buffer(), reply)) return;
      t0 = micros();
      reply = rx(0);
    }
  }
}
