#!/usr/bin/env node
// Thin bin: all logic lives in src/cli/main.ts (built to dist/).
import { main } from '../dist/cli/main.js';
main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin })
  .then((code) => { if (code !== undefined) process.exitCode = code; })
  .catch((err) => { process.stderr.write(`bgp-speaker: ${err?.stack ?? err}\n`); process.exitCode = 1; });
