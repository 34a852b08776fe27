// The package as npm packs it works on its own (issue 10 bug 7): outside the
// repository, from the packed files only (bin/, dist/, build/*.wasm, data/,
// boards/profiles/), the CLI trains, plans for a board profile and lists the
// data sets. This is what `npm install -g .` or a tarball install runs.
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, realpathSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { root, tmp } from "./util";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
let installed: string;
let files: string[];

beforeAll(() => {
  const d = tmp();
  // The tarball of what is built now (no prepare script: the tests' global setup has built it).
  const packed = JSON.parse(execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", d], { cwd: root, encoding: "utf8" }));
  files = packed[0].files.map((f: { path: string }) => f.path);
  const modules = join(d, "app", "node_modules");
  installed = join(modules, "edgeprop");
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", join(d, packed[0].filename), "-C", installed, "--strip-components=1"]);
  // Its dependencies, as npm would install them (node resolves their own dependencies from their real paths).
  const dependencies = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).dependencies ?? {});
  for (const dep of dependencies) symlinkSync(realpathSync(join(root, "node_modules", dep)), join(modules, dep));
}, 120_000);

function installedCli(args: string[]) {
  const elsewhere = tmp();
  const r = spawnSync(process.execPath, [join(installed, "bin", "edgeprop.js"), ...args], {
    cwd: elsewhere, encoding: "utf8", env: { ...process.env, CI: "true" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the packed package", () => {
  it("holds the CLI, the bundle, both modules, the data, the board profiles; no tests or sources", () => {
    for (const f of ["bin/edgeprop.js", "dist/edgeprop.mjs", "build/edgeprop.wasm", "build/edgeprop-wasi.wasm",
      "data/iris.csv", "boards/profiles/esp32.json", "package.json", "README.md"]) expect(files).toContain(f);
    expect(files.filter((f) => f.startsWith("tests/") || f.startsWith("host/") || f.startsWith("node_modules/"))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    expect(pkg.bin).toEqual({ edgeprop: "bin/edgeprop.js" });
  });

  it("trains, plans for a board profile and lists data sets from another folder", () => {
    const sim = installedCli(["sim", "--dataset", "iris", "--epochs", "2", "--json"]);
    expect(sim.code, sim.stderr).toBe(0);
    expect(sim.stdout).toMatch(/"event":"done"/);
    const plan = installedCli(["plan", "--layers", "4,16,3", "--loss", "ce", "--board", "esp32"]);
    expect(plan.code, plan.stderr).toBe(0);
    const ds = installedCli(["datasets"]);
    expect(ds.code, ds.stderr).toBe(0);
    expect(ds.stdout).toMatch(/iris/);
  });
});

describe("npm start", () => {
  it("writes the demo's report to a path git ignores in this checkout (not an untracked file in the root)", () => {
    const start = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.start as string;
    const out = start.match(/--out (\S+)/)?.[1];
    expect(out, `npm start = ${start}`).toBeDefined();
    // git check-ignore exits 0 when the path is ignored (the file need not exist)
    expect(spawnSync("git", ["check-ignore", "-q", out!], { cwd: root }).status).toBe(0);
  });
});
