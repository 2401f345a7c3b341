/** Runs the bgp-speaker CLI from source (tests spawn it with `node --import tsx`), as bin/bgp-speaker.js runs dist/. */
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin })
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`bgp-speaker: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
