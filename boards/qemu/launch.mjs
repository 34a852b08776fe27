// The emulated board: builds the QEMU firmware if it is missing or stale and
// boots it on qemu-system-riscv32's `virt` machine (rv32imc, rv32imfc:
// boards/qemu) or on qemu-system-xtensa's XTFPGA board with the ESP8266's
// LX106 core (lx106: boards/xtensa) with its UART behind a
// pseudo-terminal, so a host talks to it with serialport exactly as to a
// board on /dev/ttyUSB0. Plain JavaScript (Node built-ins and one host helper) so the host
// CLI, the tests and the benchmarks can all import it. QEMU dies with the
// process that started it, even on kill -9 (orphan-proof.mjs).
//
//   const board = await startEmulatedBoard({ isa: "rv32imc", engine: "wasm2c" });
//   board.path                      // /dev/pts/N
//   await board.waitForStats()      // the firmware's idle line, parsed
//   await board.reset()             // QEMU's system_reset: the board reboots, same pty
//   await board.stop()
//
// Everything the firmware writes is also kept in a log file (QEMU's chardev
// logfile), which is how the stats line is read while a host holds the pty.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnOrphanProof } from "../../host/transports/orphan-proof.mjs";

/**
 * The repository root: the nearest directory above this file that holds
 * boards/qemu/Makefile. This file is imported in place (tests, bench) and
 * bundled into dist/edgeprop.mjs (the CLI), so its own location differs.
 */
function findRoot(from) {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "boards", "qemu", "Makefile"))) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find boards/qemu/Makefile above ${from}`);
  }
}
// Looked up when a firmware is built, not at import: the CLI bundles this
// file, and its other commands must not depend on boards/qemu being there.
let rootDir = null;
const root = () => (rootDir ??= findRoot(dirname(fileURLToPath(import.meta.url))));
const here = () => join(root(), "boards", "qemu");

export const ISAS = ["rv32imc", "rv32imfc", "lx106"];
export const ENGINES = ["wasm2c", "wasm3"];
const QEMU = "qemu-system-riscv32";
const CROSS_GCC = "riscv64-unknown-elf-gcc";
const PICOLIBC_LIBC = "/usr/lib/picolibc/riscv64-unknown-elf/lib/rv32im/ilp32/libc.a";
/** The LX106 board (boards/xtensa): its emulator, cross compiler, C library and GCC's sources (its libgcc routines). */
const XTENSA = {
  qemu: "qemu-system-xtensa",
  gcc: "xtensa-lx106-elf-gcc",
  libc: "/usr/lib/xtensa-lx106-elf/lib/libc.a",
  gccSourceDir: "/usr/src/gcc-12",
  engines: ["wasm2c"],
};
const isXtensa = (isa) => isa === "lx106";
const boardDir = (isa) => (isXtensa(isa) ? join(root(), "boards", "xtensa") : here());
/** The line the firmware prints when idle (boards/qemu/stats_line.h). */
const STATS_PREFIX = "edgeprop: stats ";
const BANNER = /^edgeprop \S+ pr=/;
const FAULT_PREFIX = "edgeprop: fault ";

/** What is missing to build and boot the emulated board for `isa` (RISC-V by default), as one install hint per tool; [] when all is there. */
export function missingTools(isa = "rv32imc") {
  const missing = [];
  const runs = (cmd, args) => spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
  if (isXtensa(isa)) {
    if (!runs(XTENSA.qemu, ["--version"])) missing.push(`${XTENSA.qemu} (apt-get install qemu-system-misc)`);
    if (!runs(XTENSA.gcc, ["--version"])) missing.push(`${XTENSA.gcc} (apt-get install gcc-xtensa-lx106 binutils-xtensa-lx106)`);
    if (!existsSync(XTENSA.libc)) missing.push("picolibc for the lx106 (apt-get install picolibc-xtensa-lx106-elf)");
    const gccSource = existsSync(XTENSA.gccSourceDir) && readdirSync(XTENSA.gccSourceDir).some((f) => /^gcc-.*\.tar\./.test(f));
    if (!gccSource) missing.push("GCC's sources for the lx106's libgcc routines (apt-get install gcc-12-source)");
    if (!runs("wasm2c", ["--version"])) missing.push("wasm2c (apt-get install wabt)");
    if (!runs("make", ["--version"])) missing.push("make (apt-get install make)");
    return missing;
  }
  if (!runs(QEMU, ["--version"])) missing.push(`${QEMU} (apt-get install qemu-system-misc)`);
  if (!runs(CROSS_GCC, ["--version"])) missing.push(`${CROSS_GCC} (apt-get install gcc-riscv64-unknown-elf)`);
  if (!existsSync(PICOLIBC_LIBC)) missing.push("picolibc for riscv (apt-get install picolibc-riscv64-unknown-elf)");
  if (!runs("wasm2c", ["--version"])) missing.push("wasm2c (apt-get install wabt)");
  if (!runs("make", ["--version"])) missing.push("make (apt-get install make)");
  return missing;
}

/**
 * Builds (or brings up to date: make decides) the firmware for one ISA and
 * engine and returns the .elf's path. wasm3 needs `m3Include` (wasm3's
 * source dir) and `m3Lib` (a libm3.a cross-built for that ISA). `sketch`:
 * an Arduino sketch (.ino, e.g. examples/OnDeviceLearning/OnDeviceLearning.ino)
 * built on the training API instead of the plain pump (the Makefile's
 * `example` target). `ramBytes`: the firmware's RAM instead of the
 * profile's (a board too small for the module).
 */
export function buildFirmware({ isa = "rv32imc", engine = "wasm2c", profile = "esp32-c3", obj, wasm, m3Include, m3Lib, m3Flags, sketch, ramBytes } = {}) {
  if (!ISAS.includes(isa)) throw new Error(`ISA must be one of ${ISAS.join(", ")}, not '${isa}'`);
  if (!ENGINES.includes(engine)) throw new Error(`engine must be one of ${ENGINES.join(", ")}, not '${engine}'`);
  if (isXtensa(isa) && !XTENSA.engines.includes(engine)) throw new Error(`the ${isa} board runs ${XTENSA.engines.join(", ")} only, not '${engine}' (wasm3's runtime needs more RAM than an ESP8266 has)`);
  const dir = obj ?? join(boardDir(isa), "obj", `${profile}-${isa}-${engine}`);
  const name = sketch ? basename(sketch).replace(/\.ino$/, "") : "";
  const bin = join(dir, sketch ? `${name}.elf` : "firmware.elf");
  const args = ["-s", "-C", boardDir(isa), `ISA=${isa}`, `ENGINE=${engine}`, `PROFILE=${profile}`, `OBJ=${dir}`, `BIN=${join(dir, "firmware.elf")}`];
  if (sketch) args.push("example", `EXAMPLE=${name}`, `EXAMPLE_SKETCH=${sketch}`, `EXAMPLE_BIN=${bin}`);
  if (wasm) args.push(`WASM=${wasm}`);
  if (ramBytes !== undefined) args.push(`RAM_BYTES=${Number(ramBytes)}`);
  if (engine === "wasm3") {
    if (!m3Include || !m3Lib) throw new Error("the wasm3 firmware needs m3Include (wasm3's source dir) and m3Lib (libm3.a built for the ISA)");
    args.push(`M3_INCLUDE=${m3Include}`, `M3_LIB=${m3Lib}`);
    if (m3Flags) args.push(`M3_FLAGS=${m3Flags}`);
  }
  const r = spawnSync("make", args, { cwd: root(), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building the ${isa} ${engine} firmware failed:\n${(r.stderr || r.stdout || String(r.error)).trim()}`);
  return bin;
}

/** Parses a stats line's `key=value` fields (numbers where they are numbers). */
export function parseStatsLine(line) {
  if (!line.startsWith(STATS_PREFIX)) throw new Error(`not a stats line: ${line}`);
  const out = {};
  for (const field of line.slice(STATS_PREFIX.length).trim().split(/\s+/)) {
    const eq = field.indexOf("=");
    if (eq <= 0) throw new Error(`bad stats field '${field}' in: ${line}`);
    const key = field.slice(0, eq), value = field.slice(eq + 1);
    out[key] = /^\d+$/.test(value) ? Number(value) : value;
  }
  return out;
}

/**
 * The readable lines in what the firmware wrote: runs of printable bytes
 * (text is framed by CRLF and 0x00; frames are binary, and a reset can cut
 * one off, so a banner may follow binary bytes without a delimiter).
 */
function textLines(bytes) {
  const runs = bytes.toString("latin1").split(/[^\x20-\x7e]+/);
  // The last run is a line still being written unless a terminator follows it
  // (QEMU appends to the log as the UART sends): never parse half a line.
  runs.pop();
  return runs.filter((l) => l.length > 0);
}

/**
 * Boots the firmware under QEMU. `icount: true` runs -icount shift=0 (one
 * instruction per virtual ns: minstret counts exactly, slower); otherwise
 * QEMU runs as fast as it can and the instruction count means nothing.
 */
export async function startEmulatedBoard({ elf, isa = "rv32imc", engine = "wasm2c", icount = false, bootTimeoutMs = 60_000, ...build } = {}) {
  const firmware = elf ?? buildFirmware({ isa, engine, ...build });
  const xtensa = elfMachine(firmware) === EM_XTENSA;
  const dir = mkdtempSync(join(tmpdir(), "edgeprop-qemu-"));
  const log = join(dir, "uart.log"), monitor = join(dir, "monitor.sock");
  // The XTFPGA board with the LX106 core: -kernel puts a jump to the ELF's
  // entry at the reset vector; -semihosting lets the firmware power off.
  const machine = xtensa
    ? ["-machine", "lx60-nommu", "-cpu", "lx106", "-semihosting"]
    : ["-machine", "virt", "-bios", "none", "-m", "128M"];
  const args = [...machine, "-display", "none",
    "-chardev", `pty,id=uart0,logfile=${log},logappend=off`, "-serial", "chardev:uart0",
    "-monitor", `unix:${monitor},server=on,wait=off`, "-kernel", firmware];
  if (icount) args.push("-icount", "shift=0");
  const qemu = spawnOrphanProof(xtensa ? XTENSA.qemu : QEMU, args);
  let qemuOutput = "";
  qemu.stdout.on("data", (b) => { qemuOutput += b.toString(); });
  qemu.stderr.on("data", (b) => { qemuOutput += b.toString(); });
  const exited = new Promise((r) => qemu.once("exit", (code, signal) => r({ code, signal })));
  let gone = false;
  exited.then(() => { gone = true; });

  const readLines = () => (existsSync(log) ? textLines(readFileSync(log)) : []);
  const wait = async (what, test, timeoutMs) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const lines = readLines();
      const fault = lines.find((l) => l.startsWith(FAULT_PREFIX));
      if (fault) throw new Error(`the emulated board faulted: ${fault}`);
      const hit = test(lines);
      if (hit !== undefined) return hit;
      if (gone) throw new Error(`qemu exited while waiting for ${what}: ${qemuOutput.trim()}\n${lines.slice(-5).join("\n")}`);
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last lines:\n${lines.slice(-5).join("\n")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const statsLines = (lines) => lines.filter((l) => l.startsWith(STATS_PREFIX));

  const stop = async () => {
    if (!gone) { qemu.kill("SIGTERM"); await exited; }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const path = await wait("qemu's pty", () => /char device redirected to (\/dev\/\S+) \(label uart0\)/.exec(qemuOutput)?.[1], 10_000);
    const board = {
      path, qemu, log, firmware,
      /** Every readable line the firmware has written since boot. */
      lines: readLines,
      /** How many stats lines have been printed so far. */
      statsCount: () => statsLines(readLines()).length,
      /**
       * Waits for stats line number `after + 1` (default: the next one) and
       * parses it; with `rxBytes`, for the first line at or after that one
       * whose rx_bytes reached it (the board went idle after that many bytes:
       * a host's whole run, not a pause inside it).
       */
      async waitForStats({ after, rxBytes, timeoutMs = 120_000 } = {}) {
        if (rxBytes !== undefined && !Number.isFinite(rxBytes)) throw new Error(`waitForStats: rxBytes must be a number, not ${rxBytes}`);
        const seen = after ?? statsLines(readLines()).length;
        const pick = (lines) => statsLines(lines).slice(seen).find((l) => rxBytes === undefined || parseStatsLine(l).rx_bytes >= rxBytes);
        const what = `the firmware's stats line #${seen + 1}${rxBytes === undefined ? "" : ` with rx_bytes >= ${rxBytes}`}`;
        return parseStatsLine(await wait(what, pick, timeoutMs));
      },
      /** Banners printed so far (one per boot). */
      banners: () => readLines().filter((l) => BANNER.test(l)),
      /** Reboots the emulated board (QEMU's system_reset; same pty) and resolves once the monitor took the command. */
      reset: () => monitorCommand(monitor, "system_reset"),
      stop,
    };
    await board.waitForStats({ after: 0, timeoutMs: bootTimeoutMs });
    return board;
  } catch (err) {
    await stop();
    throw err;
  }
}

const EM_XTENSA = 94;
/** An ELF file's e_machine (which QEMU runs it). */
function elfMachine(path) {
  const header = Buffer.alloc(20);
  const fd = openSync(path, "r");
  try { readSync(fd, header, 0, 20, 0); } finally { closeSync(fd); }
  if (header.readUInt32BE(0) !== 0x7f454c46) throw new Error(`not an ELF file: ${path}`);
  return header.readUInt16LE(18);
}

/** Sends one command to QEMU's human monitor on a unix socket. */
function monitorCommand(socketPath, command) {
  return new Promise((resolveCmd, reject) => {
    const sock = connect(socketPath);
    let reply = "", sent = false;
    sock.on("error", reject);
    sock.on("data", (b) => {
      reply += b.toString();
      // The monitor greets with a prompt, then echoes the command and prompts again when done.
      if (!reply.includes("(qemu)")) return;
      if (!sent) { sent = true; reply = ""; sock.write(`${command}\n`); }
      else { sock.end(); resolveCmd(); }
    });
  });
}
