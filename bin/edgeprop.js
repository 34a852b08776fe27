#!/usr/bin/env node
// The `edgeprop` command: the bundled host CLI (built by `npm run build`).
import { main } from "../dist/edgeprop.mjs";

// `edgeprop sim ... | head` closes stdout early: that is not an error.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
// Every command closes what it opened; should a port or child linger anyway,
// do not hang the shell on it.
setTimeout(() => process.exit(), 3000).unref();
