// A simulated board behind a real pseudo-terminal: the host opens a path
// with serialport exactly as it opens /dev/ttyUSB0. Used by --link pty and
// by `edgeprop board --pty`.
//
// No name the user controls is ever parsed by socat or a shell: socat's
// address syntax gives meaning to ! , : quotes and spaces (a --path holding
// "!!EXEC:..." once ran a command), so socat gets two fixed addresses only:
// `PTY,raw,echo=0,link=tty`, a link relative to a private directory the host
// made with mkdtemp (socat's working directory, so TMPDIR is not pasted into
// an address either), and `STDIO`, its stdin and stdout, which are the board
// process's stdout and stdin. The board is this process's child, spawned
// with its argv as it is (no EXEC: string to split), and the link at the
// user's --path is made here with fs.symlink.
import { spawnSync, type ChildProcess } from "node:child_process";
import { spawnOrphanProof } from "./orphan-proof.mjs";
import { accessSync, constants, existsSync, lstatSync, mkdtempSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, type Stats } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { LinkError, UsageError } from "../errors.js";
import { cut } from "../text/quote.js";

export interface PtyBoard {
  /** The pty's path to open: the user's --path, else a link in the private directory. */
  path: string;
  /** The board process (its stdin and stdout are the pty's other side, through socat). */
  board: ChildProcess;
  /** socat, which holds the pty. */
  socat: ChildProcess;
  /** Resolves when the board or socat ended on its own (not through stop()), saying which and how. */
  ended: Promise<string>;
  stop(): Promise<void>;
}

/** socat's two addresses, fixed: nothing of the user's reaches them. */
const PTY_LINK = "tty";
const SOCAT_ARGS = [`PTY,raw,echo=0,link=${PTY_LINK}`, "STDIO"];
/** The board's stderr kept for a message (its last bytes). */
const STDERR_KEEP = 2000;

export function haveSocat(): boolean {
  return spawnSync("socat", ["-V"], { stdio: "ignore" }).status === 0;
}

/** Where `cmd` runs from (a path, else searched on PATH as execvp does), or null. */
function executable(cmd: string): string | null {
  const candidates = cmd.includes("/") ? [cmd] : (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, cmd));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch { /* not this one */ }
  }
  return null;
}

function exitText(code: number | null, signal: string | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function whenExited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (exited(child) || child.pid === undefined) { resolve(); return; } // ended, or never started
    child.once("exit", () => resolve());
  });
}

/** Makes `link` point at `target`, replacing a symlink there (as socat's link= did) but never another file. */
function placeLink(link: string, target: string): void {
  let existing: Stats | undefined;
  try { existing = lstatSync(link); } catch { existing = undefined; }
  if (existing && !existing.isSymbolicLink()) {
    throw new UsageError(`--path ${cut(JSON.stringify(link))}: a file that is not a link is there; not replaced (give another --path)`);
  }
  const folder = dirname(link);
  if (!existsSync(folder)) throw new UsageError(`--path ${cut(JSON.stringify(link))}: cannot make the link there: the folder ${cut(JSON.stringify(folder))} does not exist`);
  const temp = join(folder, `.edgeprop-tty-${process.pid}-${Date.now()}`);
  try {
    symlinkSync(target, temp);
    renameSync(temp, link);
  } catch (err) {
    try { unlinkSync(temp); } catch { /* not made */ }
    throw new UsageError(`--path ${cut(JSON.stringify(link))}: cannot make the link there: ${(err as Error).message}`);
  }
}

/** Removes `link` if it still points at `target` (another board may have taken the name since). */
function removeLink(link: string, target: string): void {
  try { if (readlinkSync(link) === target) unlinkSync(link); } catch { /* gone already */ }
}

export async function startPtyBoard(command: string[], path?: string): Promise<PtyBoard> {
  if (!haveSocat()) throw new UsageError("socat is needed for a pseudo-terminal board: apt-get install socat");
  const [cmd, ...args] = command;
  if (cmd === undefined || cmd === "") throw new UsageError("the board command is empty");
  if (executable(cmd) === null) throw new UsageError(`the board command ${cut(JSON.stringify(cmd))} is not an executable file${cmd.includes("/") ? "" : " on the PATH"}`);
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), "edgeprop-pty-"));
  } catch (err) {
    throw new UsageError(`cannot make a private directory for the pty under ${cut(JSON.stringify(tmpdir()))} (TMPDIR): ${(err as Error).message}`);
  }
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  // socat first: no one can write to its pty before its path is printed, so
  // nothing is on its stdout when the board takes that pipe over. Both die
  // with this process, even on kill -9.
  const socat = spawnOrphanProof("socat", SOCAT_ARGS, ["pipe", "pipe", "pipe"], dir);
  let socatErr = "";
  socat.stderr!.on("data", (b: Buffer) => { socatErr = (socatErr + b.toString()).slice(-STDERR_KEEP); });
  socat.once("error", (err) => { socatErr += err.message; }); // it then never spawned: the wait below reports it
  const board = spawnOrphanProof(cmd, args, [socat.stdout!, socat.stdin!, "pipe"]);
  let boardErr = "";
  board.stderr!.on("data", (b: Buffer) => { boardErr = (boardErr + b.toString()).slice(-STDERR_KEEP); });
  // The pipes are socat's and the board's now: this process keeps no end of them.
  socat.stdout!.destroy();
  socat.stdin!.destroy();
  let stopping = false;
  const kill = async () => {
    stopping = true;
    for (const c of [board, socat]) if (!exited(c)) c.kill("SIGTERM");
    await Promise.all([whenExited(board), whenExited(socat)]);
  };
  const fail = async (what: string): Promise<never> => {
    await kill();
    removeDir();
    throw new LinkError(what);
  };
  const spawned = await new Promise<Error | null>((resolve) => {
    board.once("spawn", () => resolve(null));
    board.once("error", (err) => resolve(err));
  });
  if (spawned) return fail(`the board command ${cut(JSON.stringify(cmd))} did not start: ${spawned.message}`);
  const ptyLink = join(dir, PTY_LINK);
  const deadline = Date.now() + 10000;
  while (!existsSync(ptyLink)) {
    if (exited(board)) return fail(`the board process ended before the pty was up (${exitText(board.exitCode, board.signalCode)})${boardErr.trim() ? `: ${boardErr.trim()}` : ""}`);
    if (exited(socat)) return fail(`socat failed: ${socatErr.trim() || exitText(socat.exitCode, socat.signalCode)}`);
    if (Date.now() > deadline) return fail("socat did not make the pty within 10 s");
    await new Promise((r) => setTimeout(r, 20));
  }
  const target = readlinkSync(ptyLink);
  if (path !== undefined) {
    try {
      placeLink(path, target);
    } catch (err) {
      await kill();
      removeDir();
      throw err;
    }
  }
  const tidy = () => { if (path !== undefined) removeLink(path, target); removeDir(); };
  process.once("exit", tidy);
  const ended = new Promise<string>((resolve) => {
    const report = (who: string, child: ChildProcess, text: () => string) => child.once("exit", (code, signal) => {
      if (!stopping) resolve(`${who} ended (${exitText(code, signal)})${text().trim() ? `: ${text().trim()}` : ""}`);
    });
    report("the board process", board, () => boardErr);
    report("socat", socat, () => socatErr);
  });
  return {
    path: path ?? ptyLink,
    board,
    socat,
    ended,
    stop: async () => {
      await kill();
      tidy();
      process.removeListener("exit", tidy);
    },
  };
}
