// What --resume may change (issue 10 bug 2), and a checkpoint validated in
// full before any work (issue 14 item 6): a refused change or a bad checkpoint
// is one line, exit 2, and the checkpoint is left as it was.
import { beforeAll, describe, expect, it } from "vitest";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, ok, run, tmp } from "./util";

const START = ["sim", "--dataset", "spiral", "--layers", "2,16,3", "--loss", "ce", "--opt", "adam", "--lr", "0.05",
  "--batch", "16", "--epochs", "2", "--quiet", "--link", "direct"];
let saved: string;

beforeAll(() => {
  saved = join(tmp(), "ck");
  ok([...START, "--checkpoint", saved]);
});

/** A fresh copy of the checkpoint, so that each test sees it untouched. */
function copy(): string {
  const ck = join(tmp(), "ck");
  cpSync(saved, ck, { recursive: true });
  return ck;
}

const ckText = (ck: string) => readFileSync(join(ck, "checkpoint.json"), "utf8");

function refused(args: string[], ck: string, what: RegExp): void {
  const before = ckText(ck);
  const r = run(["sim", "--resume", ck, ...args, "--link", "direct", "--json"]);
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(what);
  expect(r.stdout).not.toMatch(/"event":"epoch"/);
  expect(ckText(ck)).toBe(before);
}

describe("--resume: what it may change", () => {
  it("refuses another optimizer (it used to fail on the board with a stack trace)", () => {
    refused(["--epochs", "3", "--opt", "sgd"], copy(), /cannot change --opt sgd \(the checkpoint's: adam\)/);
  });

  it("refuses other layers, loss, seed or data, naming each", () => {
    const ck = copy();
    refused(["--epochs", "3", "--layers", "2,8,3"], ck, /--layers 2,8,3 \(the checkpoint's: 2,16,3\)/);
    refused(["--epochs", "3", "--seed", "7", "--loss", "mse"], ck, /--loss mse \(the checkpoint's: ce\), --seed 7 \(the checkpoint's: 1\)/);
    refused(["--epochs", "3", "--dataset", "xor"], ck, /--dataset xor \(the checkpoint's: spiral\)/);
  });

  it("a new --lr is refused without --retune, and the good checkpoint is not overwritten", () => {
    refused(["--epochs", "3", "--lr", "0.5"], copy(), /--lr 0\.5 \(the checkpoint's: 0\.05\) changes the optimizer .* add --retune/);
  });

  it("--retune without --resume is refused", () => {
    const r = run(["sim", "--dataset", "iris", "--epochs", "1", "--retune"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--retune applies only with --resume DIR/);
  });

  it("with --retune the new --lr is used and announced", () => {
    const events = jsonLines(ok(["sim", "--resume", copy(), "--epochs", "3", "--lr", "0.5", "--retune", "--json", "--link", "direct"]).stdout);
    const resume = events.find((e) => e.event === "resume");
    expect(resume.epoch).toBe(2);
    expect(resume.overrides).toEqual([{ flag: "lr", saved: 0.05, now: 0.5 }, { flag: "epochs", saved: 2, now: 3 }]);
    expect(events.find((e) => e.event === "epoch").lr).toBe(0.5);
  });

  it("--epochs and --batch may change; the start line says what changed", () => {
    const r = ok(["sim", "--resume", copy(), "--epochs", "3", "--batch", "32", "--link", "direct"]);
    expect(r.stdout).toMatch(/resuming from .* at epoch 2 .*; changed: --batch 32 \(was 16\), --epochs 3 \(was 2\)/);
  });

  it("a second resume compares with the checkpoint the first one moved on", () => {
    const ck = copy();
    ok(["sim", "--resume", ck, "--epochs", "3", "--link", "direct"]);
    expect(ok(["sim", "--resume", ck, "--epochs", "4", "--link", "direct"]).stdout).toMatch(/changed: --epochs 4 \(was 3\)/);
  });
});

describe("a checkpoint is validated in full", () => {
  function edited(change: (j: any) => void): string {
    const ck = copy();
    const j = JSON.parse(ckText(ck));
    change(j);
    writeFileSync(join(ck, "checkpoint.json"), JSON.stringify(j));
    return ck;
  }
  const f32 = (values: number[]) => Buffer.from(new Float32Array(values).buffer).toString("base64");

  it("an optimizer state of 8 floats instead of Adam's full state", () => {
    // 2,16,3: 99 parameters, two Adam slots of align8(4*99)/4 = 100 floats
    refused(["--epochs", "3"], edited((j) => { j.optimizer_state = f32([0, 0, 0, 0, 0, 0, 0, 0]); }),
      /checkpoint\.json: "optimizer_state" holds 8 float32 values; adam on 2,16,3 needs 200/);
  });

  it("NaN or Infinity in the optimizer state", () => {
    const state = (j: any) => new Float32Array(new Uint8Array(Buffer.from(j.optimizer_state, "base64")).buffer);
    refused(["--epochs", "3"], edited((j) => { const s = state(j); s[5] = NaN; j.optimizer_state = Buffer.from(s.buffer).toString("base64"); }),
      /"optimizer_state" value 5 is NaN: an optimizer state must be finite/);
    refused(["--epochs", "3"], edited((j) => { const s = state(j); s[0] = Infinity; j.optimizer_state = Buffer.from(s.buffer).toString("base64"); }),
      /value 0 is Infinity/);
  });

  it("a setting of the wrong type, a non-base64 state, a bad history entry", () => {
    refused(["--epochs", "3"], edited((j) => { j.settings.lr = "fast"; }), /"settings"."lr": "fast" is not a finite number/);
    refused(["--epochs", "3"], edited((j) => { j.settings.opt = "lion"; }), /"settings"."opt": "lion" is not one of/);
    refused(["--epochs", "3"], edited((j) => { j.optimizer_state = "!!!!"; }), /"optimizer_state" is not base64/);
    refused(["--epochs", "3"], edited((j) => { j.history = [{ epoch: 9, loss: 1, grad_norms: [] }]; }), /"history"\[0\]: expected/);
  });
});
