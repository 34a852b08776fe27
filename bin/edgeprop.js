#!/usr/bin/env node
// The `edgeprop` command: the bundled host CLI (built by `npm run build`).
import { main } from "../dist/edgeprop.mjs";

process.exitCode = await main(process.argv.slice(2));
