#!/usr/bin/env node
/**
 * Route-reflector benchmark: bgp-rr against gobgpd and BIRD (docs/benchmarks.md).
 *
 *   node bench/run.mjs [--n 100,500,1000,2000] [--large] [--runs 3] [--runs-at 2000:1,...]
 *                      [--impl bgp-rr,gobgpd,bird2[,bird1]] [--churn 10]
 *                      [--arrival storm|ramp] [--ramp-rate 100] [--quick] [--echo]
 *                      [--fleet-sched idle|normal] [--timeout SECONDS]
 *   node bench/run.mjs --from bench/results/latest.json   (re-render the outputs only)
 * --node-args "--cpu-prof --cpu-prof-dir /tmp/prof" passes Node options to bgp-rr;
 * --fleet-sched idle (default) runs the fleet's BIRD processes as SCHED_IDLE, so the
 * reflector under test is never kept from a CPU by the simulated nodes (in production
 * they are other machines); normal gives them the same priority as the reflector.
 * --timeout: seconds a run may take to reach full reflection (default 120 + N/10).
 * --append adds this benchmark's points to bench/results/latest.json (replacing the
 * (implementation, N) points it measures again) instead of starting a new table, e.g.
 * `--n 5000 --impl gobgpd,bird2 --runs 1 --append` after a run with --large.
 * --keep keeps each run's directory (configs, logs) under /tmp/bgp-rr-bench/.
 * --runs-at N:R gives N its own number of runs (a large N that the time available
 * allows only once); the outputs say which points have fewer than 3 runs.
 * The outputs are rewritten after each N, so an interrupted benchmark keeps the Ns
 * it finished.
 *
 * Each run gets its own network namespace; the implementations are interleaved
 * (N, then run, then implementation in rotating order). Writes bench/results/latest.{md,svg,json}
 * and the results section of docs/benchmarks.md; --quick (N 20,50, one run) only prints
 * and keeps raw results in bench/results/raw/. Arrival: storm = every client dials at
 * once (a reflector restart); ramp = clients start at --ramp-rate per second.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createNetns, deleteAllNetns, deleteNetns, sweepStaleNetns } from './lib/netns.mjs';
import { reflectors } from './lib/reflectors/index.mjs';
import { markdownTable, summarize, targetLines } from './lib/report.mjs';
import { acquireHeavySlot, releaseHeavySlot } from './lib/slot.mjs';
import { chart } from './lib/svg.mjs';
import { REPO_ROOT, tools } from './lib/tools.mjs';

const RESULTS = join(REPO_ROOT, 'bench', 'results');
const DOCS = join(REPO_ROOT, 'docs', 'benchmarks.md');
const ONE_RUN = join(REPO_ROOT, 'bench', 'lib', 'one-run.mjs');

const { values: args } = parseArgs({
  options: {
    n: { type: 'string' },
    large: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'runs-at': { type: 'string', default: '' },
    impl: { type: 'string', default: 'bgp-rr,gobgpd,bird2' },
    churn: { type: 'string', default: '10' },
    arrival: { type: 'string', default: 'storm' },
    'ramp-rate': { type: 'string', default: '100' },
    quick: { type: 'boolean', default: false },
    echo: { type: 'boolean', default: false },
    from: { type: 'string' },
    'node-args': { type: 'string', default: '' },
    'fleet-sched': { type: 'string', default: 'idle' },
    timeout: { type: 'string' },
    keep: { type: 'boolean', default: false },
    append: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0].replace(/^#!.*\n\/\*\*\n/, '').replace(/^ \* ?/gm, ''));
  process.exit(0);
}

const ns = (args.n ?? (args.quick ? '20,50' : '100,500,1000,2000')).split(',').map(Number);
if (args.large) ns.push(5000);
const runs = Number(args.runs ?? (args.quick ? 1 : 3));
/** Runs for each N: --runs, or --runs-at N:R for that N. */
const runsAt = Object.fromEntries(ns.map((n) => [n, runs]));
for (const item of args['runs-at'].split(',').filter(Boolean)) {
  const [n, r] = item.split(':').map(Number);
  if (!ns.includes(n) || !(r >= 1)) die(`--runs-at takes N:RUNS for an N of --n (got ${item})`);
  runsAt[n] = r;
}
const impls = args.impl.split(',');
const churnK = Number(args.churn);
const arrival = args.arrival;
const rampRate = Number(args['ramp-rate']);
if (arrival !== 'storm' && arrival !== 'ramp') die('--arrival is storm or ramp');
if (!(rampRate > 0)) die('--ramp-rate takes a positive number of clients per second');
for (const impl of impls) if (!reflectors[impl]) die(`unknown --impl ${impl} (have: ${Object.keys(reflectors).join(', ')})`);
const fleetSched = args['fleet-sched'];
if (fleetSched !== 'idle' && fleetSched !== 'normal') die('--fleet-sched is idle or normal');
const timeoutMs = args.timeout === undefined ? undefined : Number(args.timeout) * 1000;
if (timeoutMs !== undefined && !(timeoutMs > 0)) die('--timeout takes seconds > 0');
if (ns.some((n) => !Number.isInteger(n) || n < 2) || !(runs >= 1)) die('--n takes integers >= 2, --runs an integer >= 1');

function die(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}
const say = (msg) => process.stderr.write(`bench: ${msg}\n`);

// --- cleanup on every exit path
let current; // the running child
let currentDir; // its directory
process.on('exit', () => {
  deleteAllNetns();
  releaseHeavySlot();
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    say(`${sig}: stopping`);
    current?.kill('SIGKILL');
    deleteAllNetns();
    releaseHeavySlot();
    if (currentDir && !args.keep) rmSync(currentDir, { recursive: true, force: true });
    process.exit(130);
  });
}

/** Runs one (impl, N) measurement inside a new namespace; resolves with its result object. */
async function oneRun(impl, n, run) {
  // One run at a time machine-wide, beside heavy integration tests (test/harness/slots.ts).
  const waited = await acquireHeavySlot((holder) => say(`waiting for the heavy slot (held by ${holder ?? '?'})`));
  if (waited > 1000) say(`got the heavy slot after ${(waited / 1000).toFixed(0)} s`);
  const netns = createNetns();
  const dir = join('/tmp', 'bgp-rr-bench', netns);
  currentDir = dir;
  const opts = { impl, n, run, dir, churn: Math.min(churnK, Math.max(1, Math.floor(n / 10))), arrival, rampRate, echo: args.echo, fleetSched, timeoutMs, nodeArgs: args['node-args'].split(' ').filter(Boolean) };
  let out = '';
  let err = '';
  try {
    const code = await new Promise((resolve) => {
      current = spawn(tools.ip, ['netns', 'exec', netns, process.execPath, ONE_RUN, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'] });
      current.stdout.setEncoding('utf8').on('data', (s) => (out += s));
      current.stderr.setEncoding('utf8').on('data', (s) => {
        err = (err + s).slice(-20_000);
        if (args.echo) process.stderr.write(s);
      });
      current.on('exit', (c) => resolve(c));
    });
    current = undefined;
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    if (code === 0 && line) return JSON.parse(line.slice(7));
    return { impl, n, run, converged: false, error: (err.trim() || `exit code ${code}`).slice(-2000) };
  } finally {
    deleteNetns(netns);
    releaseHeavySlot();
    if (args.keep) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function versions(list) {
  const v = {};
  for (const impl of list) v[impl] = await reflectors[impl].version().catch((e) => `? (${e.message})`);
  v.fleet = await reflectors.bird2.version();
  v.node = process.version;
  return v;
}

function machine() {
  const c = cpus();
  return { nproc: c.length, cpu: c[0]?.model.trim() ?? '?', memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), loadAtStart: loadavg()[0] };
}

function describe(r) {
  if (r.error) return `FAILED: ${r.error.split('\n').slice(-3).join(' | ')}`;
  if (!r.converged) return `did not converge in ${r.timeoutS} s (${r.sessionsUp} up, ${r.clientsFull} full)`;
  const u = r.updates ? `${r.updates.received}/${r.updates.ideal} updates` : '';
  const c = r.churn ? `churn ${r.churn.withdrawS ?? '>'} s / ${r.churn.announceS ?? '>'} s` : '';
  return `full reflection ${r.convergenceS.toFixed(2)} s (${r.afterLastUpS.toFixed(2)} s after the last session up), CPU ${r.reflectorCpuS.toFixed(2)} s, RSS ${r.reflectorPeakRssMiB?.toFixed(1)} MiB, fleet CPU ${r.fleetCpuS.toFixed(2)} s, ${u}, ${c}, attrs ${r.spotCheck?.ok ? 'ok' : 'BAD'}`;
}

async function main() {
  if (args.from) {
    // Re-renders the outputs from stored results (after a change to the report).
    writeOutputs(JSON.parse(readFileSync(args.from, 'utf8')));
    return;
  }
  if (process.getuid?.() !== 0) die('needs root (it creates network namespaces and nftables rules inside them)');
  sweepStaleNetns();
  const usable = [];
  for (const impl of impls) {
    const r = reflectors[impl];
    const why = r.missing() ?? (await r.runnable?.());
    if (why) say(`skipping ${impl}: ${why}`);
    else usable.push(impl);
  }
  if (usable.length === 0) die('nothing to run');
  // --append: the table as it was before this benchmark wrote anything (the partial
  // outputs written after each N must not be merged again).
  if (args.append && !args.quick) previous = readPrevious();
  const started = new Date();
  const info = { startedAt: started.toISOString(), machine: machine(), versions: await versions(usable), ns, runs, runsAt, churnK, fleetSched, arrival, rampRate: arrival === 'ramp' ? rampRate : undefined, impls: usable };
  say(`${info.machine.nproc} CPUs, ${info.machine.memoryGiB} GiB, kernel ${info.machine.kernel}; ${Object.entries(info.versions).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const raw = join(RESULTS, 'raw');
  mkdirSync(raw, { recursive: true });
  const results = [];
  const total = ns.reduce((sum, n) => sum + runsAt[n], 0) * usable.length;
  for (const n of ns) {
    for (let run = 1; run <= runsAt[n]; run++) {
      // Rotate the order so no implementation always runs first (warm caches, load).
      const order = usable.map((_, k) => usable[(k + run - 1) % usable.length]);
      for (const impl of order) {
        const r = await oneRun(impl, n, run);
        results.push(r);
        writeFileSync(join(raw, `${stamp}-${impl}-${n}-${run}.json`), `${JSON.stringify(r, null, 2)}\n`);
        say(`[${results.length}/${total}] ${impl} N=${n} run ${run}: ${describe(r)}`);
      }
    }
    // Each finished N is written out at once: an interrupted benchmark keeps them.
    if (!args.quick && n !== ns.at(-1)) writeOutputs(withPrevious({ ...info, ns: ns.slice(0, ns.indexOf(n) + 1), finishedAt: new Date().toISOString(), results, partial: true }), true);
  }
  const doc = withPrevious({ ...info, finishedAt: new Date().toISOString(), results });
  if (args.quick) {
    process.stdout.write(`\n${markdownTable(summarize(results), usable)}\n`);
    writeFileSync(join(raw, `${stamp}-quick.json`), `${JSON.stringify(doc, null, 2)}\n`);
    say(`quick run: results in ${raw}`);
    return;
  }
  writeOutputs(doc);
}

let previous;
function readPrevious() {
  try {
    return { doc: JSON.parse(readFileSync(join(RESULTS, 'latest.json'), 'utf8')) };
  } catch {
    return { doc: undefined };
  }
}

/**
 * --append: the points of bench/results/latest.json this benchmark did not measure,
 * merged with `doc` (ordered by N, then implementation); otherwise `doc` as it is.
 */
function withPrevious(doc) {
  if (!args.append || args.quick) return doc;
  const prev = previous?.doc;
  if (prev === undefined) return doc;
  const measured = new Set(doc.results.map((r) => `${r.impl} ${r.n}`));
  const kept = prev.results.filter((r) => !measured.has(`${r.impl} ${r.n}`));
  const impls = [...new Set([...prev.impls, ...doc.impls])];
  const results = [...kept, ...doc.results].sort((a, b) => a.n - b.n || impls.indexOf(a.impl) - impls.indexOf(b.impl) || a.run - b.run);
  const ns = [...new Set(results.map((r) => r.n))].sort((a, b) => a - b);
  const runsAt = {};
  for (const r of results) runsAt[r.n] = Math.max(runsAt[r.n] ?? 0, r.run);
  const appended = [...(prev.appended ?? []), { startedAt: doc.startedAt, finishedAt: doc.finishedAt, ns: doc.ns, impls: doc.impls, runsAt: doc.runsAt, loadAtStart: doc.machine.loadAtStart }];
  return { ...prev, versions: { ...prev.versions, ...doc.versions }, ns, runsAt, impls, results, appended, partial: doc.partial, finishedAt: doc.finishedAt };
}

/** bench/results/latest.{json,svg,md} and the docs section, from the runs in doc.results. */
function writeOutputs(doc, quiet = false) {
  const summary = summarize(doc.results);
  const table = markdownTable(summary, doc.impls);
  const targets = targetLines(summary);
  if (!quiet) process.stdout.write(`\n${table}\n${targets.join('\n')}\n`);
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify({ ...doc, summary }, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'latest.svg'), chart(summary, doc.impls));
  writeFileSync(join(RESULTS, 'latest.md'), `# Route-reflector benchmark\n\n${renderMarkdown(doc, table, targets, 'latest.svg')}`);
  updateDocs(renderMarkdown(doc, table, targets, '../bench/results/latest.svg'));
  say(`wrote bench/results/latest.{md,svg,json} and docs/benchmarks.md${doc.partial ? ` (N = ${doc.ns.join(', ')} so far)` : ''}`);
}

function renderMarkdown(info, table, targets, svgPath) {
  const m = info.machine;
  const missing = ['bgp-rr', 'gobgpd', 'bird2'].filter((i) => !info.impls.includes(i));
  const runsAt = info.runsAt ?? Object.fromEntries(info.ns.map((n) => [n, info.runs]));
  const fewer = info.ns.filter((n) => runsAt[n] < 3);
  const preliminary = fewer.length > 0 || missing.length > 0 || info.partial;
  return `### Results of ${info.startedAt.slice(0, 16).replace('T', ' ')} UTC${preliminary ? ' (preliminary)' : ''}
${preliminary ? `\n**Preliminary:** ${[fewer.length > 0 ? `${fewer.map((n) => `N = ${n}: ${runsAt[n]} run(s)`).join(', ')}, not the 3 the method asks for` : '', missing.length > 0 ? `without ${missing.join(', ')}` : '', info.partial ? `interrupted or still running: N = ${info.ns.join(', ')} only` : ''].filter(Boolean).join('; ')}.\n` : ''}
Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB RAM, Linux ${m.kernel}${m.loadAtStart !== undefined ? `; load average ${m.loadAtStart.toFixed(1)} when the benchmark started` : ''}.
Versions: ${Object.entries(info.versions).map(([k, v]) => `${k} \`${v}\``).join(', ')}.
Fleet: BIRD 2 processes of at most 2^17/N clients, ${info.fleetSched === 'idle' ? 'as SCHED_IDLE (they run on CPU time the reflector leaves, as if on machines of their own)' : 'at the same priority as the reflector'}.
Arrival: ${info.arrival === 'ramp' ? `ramp, ${info.rampRate} clients/s` : 'storm (every client dials within ~0.5 s)'}.
Runs per point: ${info.ns.map((n) => `${runsAt[n]} at N = ${n}`).join(', ')} (median, min–max in brackets; the "converged" column counts each implementation's runs); churn: ${info.churnK} clients (at most N/10).${(info.appended ?? []).map((a) => `\nAdded ${a.startedAt.slice(0, 16).replace('T', ' ')} UTC (load average ${a.loadAtStart?.toFixed(1) ?? '?'}): ${a.impls.join(', ')} at N = ${a.ns.map((n) => `${n} (${a.runsAt[n]} run${a.runsAt[n] > 1 ? 's' : ''})`).join(', ')}.`).join('')}

${table}

![full reflection, RSS and CPU against N](${svgPath})
${targets.length > 0 ? `\nbgp-rr against the benchmark targets (medians):\n\n${targets.join('\n')}\n` : ''}`;
}

/** Replaces the generated section of docs/benchmarks.md (between the bench:results markers). */
function updateDocs(md) {
  let text;
  try {
    text = readFileSync(DOCS, 'utf8');
  } catch {
    say(`${DOCS} is missing: not updated`);
    return;
  }
  const begin = '<!-- bench:results:begin -->';
  const end = '<!-- bench:results:end -->';
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    say(`${DOCS} has no ${begin} ... ${end} section: not updated`);
    return;
  }
  writeFileSync(DOCS, `${text.slice(0, a + begin.length)}\n${md}\n${text.slice(b)}`);
}

main().catch((err) => {
  say(err.stack ?? String(err));
  process.exitCode = 1;
});
