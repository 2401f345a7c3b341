#!/usr/bin/env -S node --lite-mode --no-expose-wasm
// Thin bin: all logic lives in src/cli/main.ts (built to dist/).
// --lite-mode (V8 without its optimising compiler, small young generation): a third less
// memory for the daemon at 1000 peers for little CPU; see docs/benchmarks.md. Lite mode
// has no WebAssembly (nothing here uses it): --no-expose-wasm says so, without a warning.
import { main } from '../dist/cli/main.js';
main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr })
  .then((code) => { if (code !== undefined) process.exitCode = code; })
  .catch((err) => { process.stderr.write(`bgp-rr: ${err?.stack ?? err}\n`); process.exitCode = 1; });
