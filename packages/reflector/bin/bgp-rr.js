#!/usr/bin/env node
// Thin bin: all logic lives in src/cli/main.ts (built to dist/).
import { main } from '../dist/cli/main.js';
main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr })
  .then((code) => { if (code !== undefined) process.exitCode = code; })
  .catch((err) => { process.stderr.write(`bgp-rr: ${err?.stack ?? err}\n`); process.exitCode = 1; });
