// The OnDeviceLearning example (examples/OnDeviceLearning) built for the
// POSIX board (wasm2c, gcc): it collects samples from its simulated sensor,
// trains and saves with no host attached; killed and restarted, it reloads
// its weights and predicts the same bits; a damaged save is refused whole,
// and so is a sound save of another shape (under AddressSanitizer: no over-read);
// and `edgeprop pull` over a real pty (socat) returns the weights an
// in-process run (the module's direct exports in V8) computes from the same
// rows in the same shuffled order: streamed as BATCH frames, and trained
// from the module's sample store as a host's --resident run does (the
// sketch's samples are in that store, where an attached host sees them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir, wasmPath } from "../helpers/paths";
import { encodeConfig } from "../../host/protocol/config-block";
import { SKETCH, inProcessWeights, pullSketchModel, predictionBits, probePredictionBits, residentWeights } from "../helpers/on-device-learning-sketch";
import { haveSocat, startPtyBoard, type PtyBoard } from "../../host/transports/pty";
import { decodeFrame, encodeFrame, framesIn } from "../helpers/spec-frames";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const CAN_BUILD = has("wasm2c") && has("gcc") && has("g++") && has("make");
/** Whether the C compiler the Makefile uses (cc) links AddressSanitizer. */
const CAN_ASAN = CAN_BUILD &&
  spawnSync("cc", ["-fsanitize=address", "-x", "c", "-", "-o", "/dev/null"], { input: "int main(void) { return 0; }\n" }).status === 0;

let work = "";
let bin = "";
beforeAll(() => {
  work = tmpDir("edgeprop-odl-");
  if (!CAN_BUILD) return;
  const obj = path.join(work, "obj");
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c", `OBJ=${obj}`, "example", "EXAMPLE=OnDeviceLearning"],
    { stdio: "pipe" });
  bin = path.join(obj, "OnDeviceLearning");
}, 300_000);
afterAll(() => { if (work) rmDir(work); });

/** The example as a process with nothing on its link (stdin stays open, nobody talks). */
class Sketch {
  readonly child: ChildProcessWithoutNullStreams;
  out = "";
  err = "";
  constructor(storage: string, program = bin, extra: string[] = [], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(program, ["--storage", storage, ...extra], { stdio: "pipe", env });
    this.child.stdout.on("data", (b: Buffer) => { this.out += b.toString("latin1"); });
    this.child.stderr.on("data", (b: Buffer) => { this.err += b.toString("latin1"); });
  }
  lines(): string[] {
    return this.out.split(/[\r\n\0]+/).filter((l) => l.length > 0);
  }
  async until(pred: (lines: string[]) => boolean, what: string, ms = 60_000): Promise<string[]> {
    const end = Date.now() + ms;
    while (!pred(this.lines())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.lines())}`);
      if (this.child.exitCode !== null) throw new Error(`the sketch exited (${this.child.exitCode}) before ${what}: ${JSON.stringify(this.lines())}\n${this.err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.lines();
  }
  kill(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) { resolve(); return; }
      this.child.once("exit", () => resolve());
      this.child.kill("SIGKILL");
    });
  }
}

/** Asks the board's sample store what it holds (STORE with 0 rows: docs/protocol.md), as an attached host would. */
async function askStore(s: Sketch, seq: number): Promise<{ status: number; held: number; capacity: number }> {
  const HELLO = 0x01, STORE = 0x09, REPLY = 0x80;
  s.child.stdin.write(Buffer.concat([encodeFrame(HELLO, seq), encodeFrame(STORE, seq + 1, new Uint8Array(8))]));
  const reply = () => framesIn(Buffer.from(s.out, "latin1")).find((f) => f.type === (STORE | REPLY) && f.seq === seq + 1);
  await s.until(() => reply() !== undefined, "the STORE reply");
  const v = new DataView(reply()!.payload.buffer, reply()!.payload.byteOffset, reply()!.payload.byteLength);
  return { status: v.getUint8(0), held: v.getUint32(4, true), capacity: v.getUint32(8, true) };
}

const predictions = (lines: string[]) => lines.filter((l) => l.startsWith("odl: predict "));
const fourPredictions = (lines: string[]) => predictions(lines).length === 4;

describe.skipIf(!CAN_BUILD)("OnDeviceLearning on the POSIX board", () => {
  it("trains with no host, saves, and after a kill and restart reloads its weights and predicts the same bits", async () => {
    const storage = path.join(work, "store-a");
    mkdirSync(storage);
    const first = new Sketch(storage);
    let before: string[];
    try {
      const lines = await first.until(fourPredictions, "four predictions after training");
      // Nothing saved yet: a plain banner, before anything else the board says.
      expect(lines[0]).toMatch(/^edgeprop \S+ pr=\d+ me=\d+ bu=[0-9a-f]{8} bo=[0-9a-f]{8}$/);
      expect(lines).toContain("odl: collecting 160 samples");
      expect(lines.some((l) => /^odl: trained 30 epochs, loss \d/.test(l))).toBe(true);
      expect(lines).toContain("odl: saved");
      before = predictions(lines);
      // The bits the host computes for the same readings (the module in V8).
      expect(predictionBits(lines)).toEqual(await probePredictionBits());
      // The samples are in the module's store: a host that attaches sees them (160 collected, the newest 128 kept).
      expect(await askStore(first, 700)).toEqual({ status: 0, held: 128, capacity: 128 });
    } finally {
      await first.kill();
    }
    // Saved atomically: the blob and no temporary file beside it.
    expect(readdirSync(storage)).toEqual(["odl.blob"]);

    const second = new Sketch(storage);
    try {
      const lines = await second.until(fourPredictions, "four predictions after the restart");
      // The board says so in its banner (its first line), and the details right after it.
      const banner = lines.findIndex((l) => /^edgeprop \S+ pr=/.test(l));
      expect(banner).toBe(0);
      expect(lines[banner]).toMatch(/^edgeprop \S+ pr=\d+ me=\d+ bu=[0-9a-f]{8} bo=[0-9a-f]{8} re=odl$/);
      expect(lines[banner + 1]).toMatch(/^edgeprop: restored odl from file .*: 65 parameters, step 240$/);
      expect(lines).toContain("odl: restored");
      expect(lines).not.toContain("odl: collecting 160 samples");
      expect(predictions(lines)).toEqual(before);
      // The model came back, not the samples: they are data the board collects, not saved with it.
      expect(await askStore(second, 800)).toEqual({ status: 0, held: 0, capacity: 128 });
    } finally {
      await second.kill();
    }
  }, 180_000);

  it("refuses a damaged save whole and trains afresh", async () => {
    const storage = path.join(work, "store-b");
    mkdirSync(storage);
    const first = new Sketch(storage);
    let saved: Buffer;
    try {
      await first.until(fourPredictions, "training");
    } finally {
      await first.kill();
    }
    saved = readFileSync(path.join(storage, "odl.blob"));
    const damaged = Buffer.from(saved);
    damaged[damaged.length - 40] ^= 0x40; // a weight's bit
    writeFileSync(path.join(storage, "odl.blob"), damaged);
    const second = new Sketch(storage);
    try {
      const lines = await second.until(fourPredictions, "training afresh");
      expect(lines).toContain("odl: restore failed (104): the saved model is damaged (CRC mismatch)");
      expect(lines).toContain("odl: collecting 160 samples");
      expect(lines.some((l) => l.startsWith("edgeprop: restored"))).toBe(false);
    } finally {
      await second.kill();
    }
    // Trained again from the same seed and samples: the same model, saved again.
    expect(readFileSync(path.join(storage, "odl.blob")).equals(saved)).toBe(true);
  }, 180_000);

  it.skipIf(!CAN_ASAN)("refuses a sound save of another shape (a firmware update changed the inputs) and trains afresh, with no over-read under AddressSanitizer", async () => {
    // The shipped sketch and the same sketch as a firmware with 3 inputs would be, both under ASan.
    const obj = path.join(work, "obj-asan");
    const sketch = readFileSync(path.join(repoRoot, "examples", "OnDeviceLearning", "OnDeviceLearning.ino"), "utf8");
    const threeInputs = sketch.replace("#define INPUTS 2\n", "#define INPUTS 3\n").replace("float x[INPUTS], t[TARGETS];", "float x[INPUTS] = {0}, t[TARGETS];");
    expect(threeInputs.match(/#define INPUTS 3\n|float x\[INPUTS\] = \{0\}/g)).toHaveLength(2);
    const otherIno = path.join(work, "ThreeInputs.ino");
    writeFileSync(otherIno, threeInputs);
    const make = (extra: string[]) => execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c", `OBJ=${obj}`,
      "CFLAGS=-fsanitize=address -fno-omit-frame-pointer -g", "example", ...extra], { stdio: "pipe" });
    make(["EXAMPLE=OnDeviceLearning"]);
    make(["EXAMPLE=ThreeInputs", `EXAMPLE_SKETCH=${otherIno}`]);
    const env = { ...process.env, ASAN_OPTIONS: "detect_leaks=0:halt_on_error=1" };
    const storage = path.join(work, "store-shape");
    mkdirSync(storage);
    const before = new Sketch(storage, path.join(obj, "ThreeInputs"), [], env);
    try {
      await before.until(fourPredictions, "the 3-input firmware's training");
      expect(before.lines()).toContain("odl: saved");
    } finally {
      await before.kill();
    }
    // The update: the shipped 2-input sketch boots on the 3-input save.
    const after = new Sketch(storage, path.join(obj, "OnDeviceLearning"), [], env);
    try {
      const lines = await after.until(fourPredictions, "training afresh after the refused restore");
      expect(lines).toContain("odl: restore refused (EDGEPROP_E_OTHER_SHAPE): the saved model odl has another shape: inputs 3, the sketch's 2; training afresh");
      expect(lines.some((l) => l.startsWith("edgeprop: restored"))).toBe(false);
      expect(lines).not.toContain("odl: restored");
      expect(lines).toContain("odl: collecting 160 samples");
      // Trained from scratch: the bits of a board that never had a save.
      expect(predictionBits(lines)).toEqual(await probePredictionBits());
    } finally {
      await after.kill();
    }
    expect(after.err).not.toMatch(/AddressSanitizer/);
    expect(after.err).toBe("");
  }, 300_000);

  it("does not fine-tune (nor save) a host's model of another shape than the sketch's, which a reboot could not restore", async () => {
    const storage = path.join(work, "store-f");
    mkdirSync(storage);
    const s = new Sketch(storage);
    try {
      await s.until(fourPredictions, "training");
      const saved = readFileSync(path.join(storage, "odl.blob"));
      // A host configures a 2-8-1 model (as `edgeprop push` of one does first).
      const HELLO = 0x01, CONFIGURE = 0x02;
      s.child.stdin.write(Buffer.concat([encodeFrame(HELLO, 900), encodeFrame(CONFIGURE, 901, new Uint8Array(encodeConfig({ ...SKETCH.run, sizes: [2, 8, 1] })))]));
      const lines = await s.until((l) => l.some((x) => x.startsWith("odl: the host's model") || x === "odl: adopted the host's model"),
        "the sketch's answer to the host's model");
      expect(lines).toContain("odl: the host's model is not this sketch's (the model has another shape: layer size 8, the sketch's 16): not fine-tuned");
      expect(lines).not.toContain("odl: adopted the host's model");
      expect(readFileSync(path.join(storage, "odl.blob")).equals(saved)).toBe(true);
    } finally {
      await s.kill();
    }
  }, 180_000);

  it("serves a host's session while it trains: every reply in order, and the same model as with nobody attached", async () => {
    const alone = new Sketch(path.join(work, "store-d"));
    mkdirSync(path.join(work, "store-d"));
    let quiet: string[];
    try {
      quiet = predictions(await alone.until(fourPredictions, "training alone"));
    } finally {
      await alone.kill();
    }
    mkdirSync(path.join(work, "store-e"));
    const busy = new Sketch(path.join(work, "store-e"));
    // The stream in order: text lines and frames, as the host sees them.
    const events: Array<{ text: string } | { type: number; seq: number; payload: Uint8Array }> = [];
    let pending = Buffer.alloc(0);
    busy.child.stdout.on("data", (b: Buffer) => {
      pending = Buffer.concat([pending, b]);
      for (let end = pending.indexOf(0); end >= 0; end = pending.indexOf(0)) {
        const chunk = pending.subarray(0, end);
        pending = pending.subarray(end + 1);
        const f = chunk.length ? decodeFrame(chunk) : null;
        if (f) events.push(f);
        else for (const line of chunk.toString("latin1").split(/\r?\n/)) if (line) events.push({ text: line });
      }
    });
    const GET_WEIGHTS = 0x04, HELLO = 0x01, REPLY = 0x80;
    const getFirstWeights = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 4, 0]); // PARAMETERS, offset 0, 4 floats
    // HELLO, then a stream of reads sent at once: the pump takes at most its rx buffer per poll, so
    // most of them arrive while the board collects and trains, and are served between its batches.
    const READS = 3000;
    const stream = [encodeFrame(HELLO, 500)];
    for (let i = 1; i <= READS; i++) stream.push(encodeFrame(GET_WEIGHTS, 500 + i, getFirstWeights));
    busy.child.stdin.write(Buffer.concat(stream));
    try {
      await busy.until((lines) => fourPredictions(lines) && events.filter((e) => "type" in e).length === READS + 1,
        "every reply and the predictions");
      expect(predictions(busy.lines())).toEqual(quiet);
    } finally {
      await busy.kill();
    }
    const frames = events.filter((e): e is { type: number; seq: number; payload: Uint8Array } => "type" in e);
    // Every request answered by its own reply, in order: no ERROR, no sequence number taken by the API.
    expect(frames[0]).toMatchObject({ type: HELLO | REPLY, seq: 500 });
    frames.slice(1).forEach((f, i) => expect(f, `reply ${i + 1}`).toMatchObject({ type: GET_WEIGHTS | REPLY, seq: 501 + i }));
    // And some were served while it trained (between two of its batches), seeing the weights change.
    const from = events.findIndex((e) => "text" in e && e.text === "odl: training on 128 samples");
    const to = events.findIndex((e) => "text" in e && /^odl: trained /.test(e.text));
    expect(from).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    const during = events.slice(from, to).filter((e): e is { type: number; seq: number; payload: Uint8Array } => "type" in e);
    expect(during.length).toBeGreaterThan(2);
    const distinct = new Set(during.map((f) => Buffer.from(f.payload).toString("hex")));
    expect(distinct.size).toBeGreaterThan(1);
  }, 180_000);

  it.skipIf(!haveSocat())("edgeprop pull over a pty returns the weights of an in-process run over the same rows", async () => {
    const storage = path.join(work, "store-c");
    mkdirSync(storage);
    const expected = await inProcessWeights();
    const resident = await residentWeights();
    expect(resident).toMatchObject({ held: 128, capacity: 128 });
    // Streaming the shuffled rows and training them from the store: the same bits (DESIGN-S17).
    expect(Array.from(resident.weights)).toEqual(Array.from(expected));
    const blob = path.join(storage, "odl.blob");
    let pty: PtyBoard | null = null;
    try {
      pty = await startPtyBoard([bin, "--storage", storage]);
      // The board trains on its own (nobody talks to it); it has saved once the blob exists.
      const end = Date.now() + 60_000;
      while (!existsSync(blob)) {
        if (Date.now() > end) throw new Error("the board did not save a model within 60 s");
        await new Promise((r) => setTimeout(r, 50));
      }
      // The model it saved is the one the host's flags describe, byte for byte.
      const CONFIG_AT = 40, CONFIG_BYTES = 160;
      expect(Array.from(readFileSync(blob).subarray(CONFIG_AT, CONFIG_AT + CONFIG_BYTES))).toEqual(Array.from(encodeConfig(SKETCH.run)));
      const out = path.join(work, "pulled.json");
      const pulled = pullSketchModel(pty.path, out);
      expect(Array.from(pulled.weights)).toEqual(Array.from(expected));
    } finally {
      await pty?.stop();
    }
  }, 180_000);

  const M3_INCLUDE = process.env.EDGEPROP_M3_INCLUDE ?? "", M3_LIB = process.env.EDGEPROP_M3_LIB ?? "";
  it.skipIf(!M3_INCLUDE || !M3_LIB)("with wasm3 (EDGEPROP_M3_INCLUDE, EDGEPROP_M3_LIB): the same bits, and each engine restores the other's save", async () => {
    const obj = path.join(work, "obj-wasm3");
    execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm3", `M3_INCLUDE=${M3_INCLUDE}`, `M3_LIB=${M3_LIB}`,
      `M3_CFLAGS=${process.env.EDGEPROP_M3_CFLAGS ?? ""}`, `OBJ=${obj}`, "example", "EXAMPLE=OnDeviceLearning"], { stdio: "pipe" });
    const wasm3 = path.join(obj, "OnDeviceLearning");
    const module = ["--module", wasmPath];
    const runOnce = async (storage: string, program: string, extra: string[]) => {
      const s = new Sketch(storage, program, extra);
      try { return await s.until(fourPredictions, `${path.basename(path.dirname(program))} predictions`); } finally { await s.kill(); }
    };
    const a = path.join(work, "store-m3"), b = path.join(work, "store-w2c");
    mkdirSync(a);
    mkdirSync(b);
    const trained3 = await runOnce(a, wasm3, module);
    const trained2 = await runOnce(b, bin, []);
    expect(predictions(trained3)).toEqual(predictions(trained2));
    expect(readFileSync(path.join(a, "odl.blob")).equals(readFileSync(path.join(b, "odl.blob")))).toBe(true);
    // wasm2c restores what wasm3 saved, and the other way round.
    const restored2 = await runOnce(a, bin, []);
    const restored3 = await runOnce(b, wasm3, module);
    for (const r of [restored2, restored3]) {
      expect(r).toContain("odl: restored");
      expect(predictions(r)).toEqual(predictions(trained2));
    }
  }, 300_000);
});
