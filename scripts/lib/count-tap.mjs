// Counts the assertions in a raw TAP stream (tap --output-file) and prints
// "N passed, N failed" as the last line.
//
// What is counted: every leaf test point (assertion) of every test file, the way
// tap's own root parser surfaces them; a subtest's closing test point counts only
// when it disagrees with its children, i.e. a test file or subtest that failed
// without a failing assertion (crash, timeout, plan mismatch) counts as one failure.
// skip/todo points are not allowed in this repository: they count as failed.
//
// Several files (tap's stream, then e.g. the leftovers check of scripts/test.sh) are
// counted together; each one without any test point, or missing, counts as one failure.
//
// usage: node scripts/lib/count-tap.mjs FILE.tap [MORE.tap ...]   (exit 0 if nothing failed, else 1)
import { readFileSync } from 'node:fs';
import { Parser } from 'tap-parser';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: count-tap.mjs FILE.tap [MORE.tap ...]\n');
  process.exit(2);
}
let passed = 0;
let failed = 0;
const skipped = [];
for (const file of files) {
  let points = 0;
  const parser = new Parser();
  parser.on('pass', () => (points++, passed++));
  parser.on('fail', () => (points++, failed++));
  parser.on('skip', (r) => (points++, skipped.push(`skip: ${r.fullname}`)));
  parser.on('todo', (r) => (points++, skipped.push(`todo: ${r.fullname}`)));
  parser.on('bailout', () => (points++, failed++));
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // A step that died before writing its file (the count line must still come).
    process.stdout.write(`not counted (${file}: ${err.code ?? err.message}): one failure\n`);
    failed++;
    continue;
  }
  parser.end(text);
  if (points === 0) failed++; // no tests ran: that is a failure too
}
for (const s of skipped) process.stdout.write(`not allowed (${s})\n`);
failed += skipped.length;
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
