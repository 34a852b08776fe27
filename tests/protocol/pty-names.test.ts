// Issue 20 items 6 and 7: names reached socat as commands, and a space broke
// the pty link. A --path holding "!!EXEC:touch ..." ran touch (socat's
// address syntax), so did a TMPDIR or the package's own folder holding
// socat syntax, a comma injected socat options, and a space in the package's
// path or a board command's made `--link pty` exit 4 and `board --pty`
// announce a board that never came (then exit 0). Every name here holds
// `!!`, `,`, `:`, spaces and quotes: no command runs (the marker file
// socat's EXEC would create never appears), and the link works to
// `--link direct`'s bits or the name is refused with exit 2. Real ptys, the
// real CLI as child processes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cliPath, repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { haveSocat } from "../../host/transports/pty";

/** What socat's EXEC would run: `touch pwned`, relative to the CLI's working directory (the test's folder). */
const MARKER = "pwned";
/** A folder name with everything socat's address syntax gives a meaning to. */
const ODD = `odd dir!!EXEC:touch ${MARKER},fork:x 'q"`;
/** The same without quotes, for a board command given as --engine exec:'...' (which quotes with them). */
const ODD_UNQUOTED = `odd dir!!EXEC:touch ${MARKER},fork:x`;
const RUN = ["--dataset", "xor", "--epochs", "3", "--seed", "5"];

let work = "";
let direct: Buffer;
const marker = () => path.join(work, MARKER);

interface Ran { code: number | null; stdout: string; stderr: string }

/** The CLI (`bin`: a bin/edgeprop.js) run to its end in the test's folder. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}, bin = cliPath): Ran {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: work, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1", ...env },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `board --pty ...` (of the CLI `bin`) serving in the background. */
class ServingBoard {
  readonly child: ChildProcess;
  out = "";
  err = "";
  readonly exited: Promise<number | null>;
  constructor(args: string[], env: NodeJS.ProcessEnv = {}, bin = cliPath) {
    this.child = spawn(process.execPath, [bin, "board", "--pty", ...args], {
      cwd: work, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", ...env },
    });
    this.child.stdout!.on("data", (b: Buffer) => { this.out += b.toString(); });
    this.child.stderr!.on("data", (b: Buffer) => { this.err += b.toString(); });
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }
  /** The pty path it printed (its first line), once it did. */
  async path(): Promise<string> {
    const end = Date.now() + 30_000;
    while (!this.out.includes("\n")) {
      if (this.child.exitCode !== null) throw new Error(`board --pty exited (${this.child.exitCode}): ${this.err}`);
      if (Date.now() > end) throw new Error(`board --pty printed no path: ${this.err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.out.split("\n")[0] ?? "";
  }
  /** Ctrl-C; its exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGINT");
    return this.exited;
  }
}

/** `train --port` through a served board gives --link direct's model, byte for byte. */
function trainsToDirectBits(port: string): void {
  const out = path.join(work, "port.json");
  const r = cli(["train", "--port", port, ...RUN, "--save", out]);
  expect(r.code, r.stderr).toBe(0);
  expect(readFileSync(out).equals(direct)).toBe(true);
}

function script(file: string, body: string): string {
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

beforeAll(() => {
  work = tmpDir("edgeprop-pty-names-");
  mkdirSync(path.join(work, ODD));
  mkdirSync(path.join(work, ODD_UNQUOTED));
  const r = cli(["sim", ...RUN, "--link", "direct", "--save", path.join(work, "direct.json")]);
  expect(r.code, r.stderr).toBe(0);
  direct = readFileSync(path.join(work, "direct.json"));
});
afterAll(() => { if (work) rmDir(work); });

describe.skipIf(!haveSocat())("no name reaches socat: --path, TMPDIR, the package's path, board commands", () => {
  it("--path 'x!!EXEC:touch pwned' (the attack): a link of exactly that name, nothing runs", async () => {
    const board = new ServingBoard(["--path", `x!!EXEC:touch ${MARKER}`]);
    try {
      expect(await board.path()).toBe(`x!!EXEC:touch ${MARKER}`);
      expect(lstatSync(path.join(work, `x!!EXEC:touch ${MARKER}`)).isSymbolicLink()).toBe(true);
    } finally {
      expect(await board.stop()).toBe(0);
    }
    expect(existsSync(marker())).toBe(false);
  }, 60_000);

  it("--path in a folder that does not exist: refused with exit 2 and a clear message", () => {
    const r = cli(["board", "--pty", "--path", path.join(work, "no such folder", "tty")]);
    expect(r.stderr).toMatch(/^edgeprop board: --path ".*no such folder\/tty": cannot make the link there: the folder ".*no such folder" does not exist\n$/);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
  });

  it("--path with !! , : spaces and quotes: the link is made there, trains to direct's bits, and goes on Ctrl-C", async () => {
    const link = path.join(work, ODD, `tty ${ODD}`);
    const board = new ServingBoard(["--path", link]);
    try {
      expect(await board.path()).toBe(link);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      trainsToDirectBits(link);
    } finally {
      expect(await board.stop()).toBe(0);
    }
    expect(existsSync(link)).toBe(false);
    expect(existsSync(marker())).toBe(false);
  }, 60_000);

  it("--path naming a file that is not a link: refused with exit 2, the file untouched", () => {
    const file = path.join(work, ODD, "notes.txt");
    writeFileSync(file, "mine");
    const r = cli(["board", "--pty", "--path", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a file that is not a link is there; not replaced/);
    expect(readFileSync(file, "utf8")).toBe("mine");
  });

  it("TMPDIR holding socat syntax: sim --link pty and board --pty work; nothing runs", async () => {
    const env = { TMPDIR: path.join(work, ODD) };
    const out = path.join(work, "tmpdir.json");
    const r = cli(["sim", ...RUN, "--link", "pty", "--save", out], env);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out).equals(direct)).toBe(true);
    const board = new ServingBoard([], env);
    try {
      const port = await board.path();
      expect(port.startsWith(path.join(work, ODD, "edgeprop-pty-"))).toBe(true);
      trainsToDirectBits(port);
    } finally {
      expect(await board.stop()).toBe(0);
    }
    expect(existsSync(marker())).toBe(false);
  }, 60_000);

  it("the package under a folder with a space and socat syntax: sim --link pty and board --pty --engine wasi:node give direct's bits", async () => {
    const pkg = path.join(work, ODD, "edgeprop pkg");
    for (const part of ["bin", "dist", "data", path.join("boards", "profiles"), "package.json"]) {
      cpSync(path.join(repoRoot, part), path.join(pkg, part), { recursive: true });
    }
    for (const wasm of ["edgeprop.wasm", "edgeprop-wasi.wasm"]) cpSync(path.join(repoRoot, "build", wasm), path.join(pkg, "build", wasm));
    symlinkSync(path.join(repoRoot, "node_modules"), path.join(pkg, "node_modules"));
    const copy = path.join(pkg, "bin", "edgeprop.js");
    const out = path.join(work, "package.json.out");
    const r = cli(["sim", ...RUN, "--link", "pty", "--save", out], {}, copy);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/on pseudo-terminal \//);
    expect(readFileSync(out).equals(direct)).toBe(true);
    // The copy's own WASI board (its bin/wasi-node.js and build/edgeprop-wasi.wasm) behind board --pty.
    const board = new ServingBoard(["--engine", "wasi:node"], {}, copy);
    try {
      trainsToDirectBits(await board.path());
      expect(board.child.exitCode).toBe(null);
    } finally {
      expect(await board.stop(), board.err).toBe(0);
    }
    expect(existsSync(marker())).toBe(false);
  }, 120_000);

  it("board --pty --engine with board paths holding spaces, !! , : and quotes: served, and trains to direct's bits", async () => {
    // A WASI runtime (wasi:PATH, taken verbatim) and a board command (exec:'PATH') in odd folders.
    const runtime = script(path.join(work, ODD, "wasi runtime"),
      `exec ${JSON.stringify(process.execPath)} --no-warnings ${JSON.stringify(path.join(repoRoot, "bin", "wasi-node.js"))} "$@"`);
    const command = script(path.join(work, ODD_UNQUOTED, "the board"),
      `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} board --stdio`);
    for (const engine of [`wasi:${runtime}`, `exec:'${command}'`]) {
      const board = new ServingBoard(["--engine", engine]);
      try {
        trainsToDirectBits(await board.path());
      } finally {
        expect(await board.stop(), board.err).toBe(0);
      }
    }
    expect(existsSync(marker())).toBe(false);
  }, 60_000);

  it("board --pty: a board command that is not there is refused (exit 2) before anything is announced", () => {
    const r = cli(["board", "--pty", "--engine", `exec:'${path.join(work, ODD_UNQUOTED, "no board")}'`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/the board command ".*no board" is not an executable file/);
  });

  it("board --pty: a board that dies ends the command with exit 4 naming how, not exit 0", async () => {
    const dies = script(path.join(work, ODD_UNQUOTED, "dies"), "sleep 1\necho 'out of memory' >&2\nexit 3");
    const board = new ServingBoard(["--engine", `exec:'${dies}'`]);
    const code = await Promise.race([board.exited, new Promise<string>((r) => setTimeout(() => r("still running after 20 s"), 20_000))]);
    await board.stop();
    expect(code).toBe(4);
    expect(board.err).toMatch(/stopped: the board process ended \(exit code 3\): out of memory/);
  }, 30_000);
});
