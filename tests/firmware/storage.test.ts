// The storage HAL's contract (tests/firmware/fixtures/storage-contract.c) on
// the POSIX implementation (a file per blob: temp + fsync + rename) and the
// emulated board's (two RAM slots, the header written last), both built for
// this machine; the RAM one is also cross-compiled for the emulated board's
// rv32 when the toolchain is there.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const at = (...p: string[]) => path.join(repoRoot, ...p);
const work = tmpDir("edgeprop-storage-");
afterAll(() => rmDir(work));

function buildAndRun(name: string, flags: string[], sources: string[], args: string[]): { out: string; code: number | null } {
  const bin = path.join(work, name);
  const cc = spawnSync("gcc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-I", at("boards", "common"), "-I", at("boards", "posix"),
    ...flags, at("tests", "firmware", "fixtures", "storage-contract.c"), ...sources.map((s) => at(s)), "-o", bin], { encoding: "utf8" });
  expect(cc.stderr).toBe("");
  const run = spawnSync(bin, args, { encoding: "utf8" });
  return { out: run.stdout, code: run.status };
}

describe.skipIf(!has("gcc"))("the storage HAL", () => {
  it("POSIX: files, atomic replace, no temporary left, never over a non-regular file", () => {
    const dir = path.join(work, "posix");
    mkdirSync(dir);
    const r = buildAndRun("contract-posix", ["-DSTORAGE_POSIX"], ["boards/posix/storage_posix.c", "boards/common/storage_key.c"], [dir]);
    expect(r.out).toBe("ok\n");
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toEqual(["dir.blob"]); // the directory the test made; no temporary files
  });

  it("emulated board: two RAM slots, a save is current only once committed", () => {
    const r = buildAndRun("contract-ram", [], ["boards/qemu/storage_ram.c", "boards/common/storage_key.c", "boards/common/error_frame.c"], []);
    expect(r.out).toBe("ok\n");
    expect(r.code).toBe(0);
  });

  // picolibc where boards/qemu/Makefile looks for it by default.
  const PICOLIBC = "/usr/lib/picolibc/riscv64-unknown-elf";
  it.skipIf(!has("riscv64-unknown-elf-gcc") || !existsSync(PICOLIBC))("emulated board: storage_ram.c compiles for rv32imc into .noinit", () => {
    const obj = path.join(work, "storage_ram.o");
    const cc = spawnSync("riscv64-unknown-elf-gcc", ["-march=rv32imc_zicsr", "-mabi=ilp32", "-std=c99", "-Wall", "-Wextra", "-Werror",
      "-isystem", path.join(PICOLIBC, "include"), "-I", at("boards", "common"), "-c", at("boards", "qemu", "storage_ram.c"), "-o", obj], { encoding: "utf8" });
    expect(cc.stderr).toBe("");
    expect(cc.status).toBe(0);
    const sections = spawnSync("riscv64-unknown-elf-objdump", ["-h", obj], { encoding: "utf8" }).stdout;
    expect(sections).toMatch(/\.noinit/);
  });
});
