// Holds the coverage threshold of `npm test` (tap itself runs with
// allow-incomplete-coverage: we enforce our own stated threshold instead of 100%).
//
// Input: tap's istanbul json-summary (.tap/report/coverage-summary.json), which
// covers every source file some test loaded, in the test processes and in what they
// start (bgp-rr from its bin: dist/ mapped back to src/ by the source maps); only
// packages/*/src is counted. Source files that NO test loads do
// not appear there; so that they cannot inflate the figure, each one is added
// with all of its code lines uncovered (non-blank, non-comment lines: an
// overestimate of its executable lines, so the figure errs on the low side).
//
// usage: node scripts/lib/coverage-check.mjs SUMMARY.json MIN_LINES_PCT
// Prints the figures; exits 1 below the threshold.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [summaryPath, minArg] = process.argv.slice(2);
const min = Number(minArg);
if (!summaryPath || !Number.isFinite(min)) {
  process.stderr.write('usage: coverage-check.mjs SUMMARY.json MIN_LINES_PCT\n');
  process.exit(2);
}
// The repository whose packages/*/src are measured (overridable for tests).
const root = resolve(process.env.BGP_RR_ROOT ?? fileURLToPath(new URL('../..', import.meta.url)));
const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));

/** Every .ts file under packages/<pkg>/src. */
function sourceFiles() {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src');
    try {
      statSync(src);
    } catch {
      continue;
    }
    walk(src);
  }
  return out;
}

/** Rough executable line count of a file no test loaded (see header). */
function codeLines(file) {
  let inBlock = false;
  let n = 0;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes('*/')) inBlock = false;
      continue;
    }
    if (line === '' || line.startsWith('//')) continue;
    if (line.startsWith('/*')) {
      inBlock = !line.includes('*/');
      continue;
    }
    n++;
  }
  return n;
}

// Only packages/*/src counts: tap's total also holds what else a test process ran
// with source maps, e.g. packages/reflector/bin/bgp-rr.js (the daemon's bin).
const isSource = (file) => /^packages\/[^/]+\/src\//.test(relative(root, file));
const entries = Object.entries(summary).filter(([k]) => k !== 'total' && isSource(resolve(k)));
const sum = (kind) => {
  const t = entries.reduce((acc, [, e]) => ({ total: acc.total + e[kind].total, covered: acc.covered + e[kind].covered }), { total: 0, covered: 0 });
  return { ...t, pct: t.total === 0 ? 100 : (100 * t.covered) / t.total };
};
const total = { statements: sum('statements'), branches: sum('branches'), functions: sum('functions') };
const srcLines = sum('lines');
let linesTotal = srcLines.total;
let linesCovered = srcLines.covered;
const loaded = new Set(entries.map(([k]) => resolve(k)));
const unloaded = [];
for (const file of sourceFiles()) {
  if (loaded.has(file)) continue;
  // A file of types only (no runtime code) has nothing to cover.
  const text = readFileSync(file, 'utf8');
  if (!/^\s*(export\s+)?(async\s+)?(function|class|const|let|var|enum)\b|^\s*export\s+(default|\*|\{)/m.test(text)) continue;
  const lines = codeLines(file);
  unloaded.push([relative(root, file), lines]);
  linesTotal += lines;
}
const pct = linesTotal === 0 ? 100 : (100 * linesCovered) / linesTotal;
const f = (x) => (typeof x === 'number' ? x.toFixed(2) : String(x));
process.stdout.write(
  `coverage of packages/*/src by the tests: lines ${f(pct)}% (${linesCovered}/${linesTotal}), ` +
    `statements ${f(total.statements?.pct)}%, branches ${f(total.branches?.pct)}%, functions ${f(total.functions?.pct)}% (loaded files)\n`,
);
for (const [file, lines] of unloaded) process.stdout.write(`  not loaded by any test, counted as uncovered: ${file} (${lines} lines)\n`);
if (pct + 1e-9 < min) {
  process.stdout.write(`coverage threshold NOT met: lines ${f(pct)}% < ${min}%\n`);
  process.exit(1);
}
process.stdout.write(`coverage threshold met: lines ${f(pct)}% >= ${min}%\n`);
