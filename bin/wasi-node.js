#!/usr/bin/env node
// Runs a WASI command module under Node's own node:wasi with stdio attached:
// `--engine wasi:node` runs build/edgeprop-wasi.wasm this way, a complete
// simulated board in its own process.
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: wasi-node.js MODULE.wasm [ARGS]\n");
  process.exit(2);
}
const wasi = new WASI({ version: "preview1", args: [file, ...process.argv.slice(3)], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
