// Counts the assertions in a raw TAP stream (tap --output-file) and prints
// "N passed, N failed" as the last line.
//
// What is counted: every leaf test point (assertion) of every test file, the way
// tap's own root parser surfaces them; a subtest's closing test point counts only
// when it disagrees with its children, i.e. a test file or subtest that failed
// without a failing assertion (crash, timeout, plan mismatch) counts as one failure.
// skip/todo points are not allowed in this repository: they count as failed.
//
// usage: node scripts/lib/count-tap.mjs FILE.tap   (exit 0 if nothing failed, else 1)
import { readFileSync } from 'node:fs';
import { Parser } from 'tap-parser';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: count-tap.mjs FILE.tap\n');
  process.exit(2);
}
const tap = readFileSync(file, 'utf8');
let passed = 0;
let failed = 0;
const skipped = [];
const parser = new Parser();
parser.on('pass', () => passed++);
parser.on('fail', () => failed++);
parser.on('skip', (r) => skipped.push(`skip: ${r.fullname}`));
parser.on('todo', (r) => skipped.push(`todo: ${r.fullname}`));
parser.on('bailout', () => failed++);
parser.end(tap);
for (const s of skipped) process.stdout.write(`not allowed (${s})\n`);
failed += skipped.length;
if (passed + failed === 0) failed = 1; // no tests ran: that is a failure too
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
