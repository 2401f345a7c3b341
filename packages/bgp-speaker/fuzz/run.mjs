#!/usr/bin/env node
// Fuzz harness for the BGP codec and a live speaker (README "Security"). Runs on dist/ (build first):
//
//   npm run fuzz -- [--cases N] [--target all|decoder|live] [--live-cases N] [--seed N]
//                   [--deadline-ms MS] [--max-rss-growth-mb MB] [--save-corpus DIR] [--json]
//
// all      (what `npm run fuzz` runs) the decoder target with --cases (1,000,000 there),
//          then the live target with --live-cases (default 5,000; a live case costs a
//          whole session set-up, ~100-150 cases/s); fails if either fails.
// decoder  random and mutated messages (generate.mjs) to decodeMessage and the Framer in
//          a worker thread. Checks per case: only WireError is thrown, with a NOTIFICATION
//          code/subcode a received message may cause (RFC 4271 §6, RFC 7313); an UPDATE
//          carries an RFC 7606 action; the Framer gives the same answer whatever the split;
//          no case runs past --deadline-ms (the worker is stopped and the case printed).
// live     a Speaker in this process on a loopback address; a raw client reaches
//          Established, sends one case then a ROUTE-REFRESH probe; the speaker must send
//          exactly the NOTIFICATION the case calls for, or stay up (probe answered), or
//          close on a NOTIFICATION (oracle.mjs). A bystander session must stay
//          Established the whole run; connections from unknown addresses are refused.
// Both     sample RSS; fail when it grows more than --max-rss-growth-mb after warm-up.
// Exit 0 when every check passed; 1 otherwise. Same seed, same cases.
import { Worker } from 'node:worker_threads';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
if (argv.includes('--help') || argv.includes('-h')) {
  console.log('usage: node packages/bgp-speaker/fuzz/run.mjs [--cases N] [--target all|decoder|live] [--live-cases N] [--seed N] [--deadline-ms MS] [--max-rss-growth-mb MB] [--save-corpus DIR] [--json]');
  process.exit(0);
}
const target = opt('target', 'decoder');
const seed = Number(opt('seed', String(Date.now() % 2 ** 31)));
const cases = Number(opt('cases', target === 'live' ? '2000' : '100000'));
const liveCases = Number(opt('live-cases', '5000'));
const deadlineOpt = opt('deadline-ms', '');
const deadlineFor = (tg) => (deadlineOpt !== '' ? Number(deadlineOpt) : tg === 'live' ? 10000 : 2000);
const maxGrowthMb = Number(opt('max-rss-growth-mb', '256'));
const saveDir = opt('save-corpus', '');
const json = argv.includes('--json');
if (!['all', 'decoder', 'live'].includes(target) || !(cases > 0) || !(liveCases > 0) || !Number.isFinite(seed)) {
  console.error('bad arguments; see --help');
  process.exit(2);
}

const log = (...a) => {
  if (!json) console.log(...a);
};

function rssSampler() {
  const mb = () => process.memoryUsage().rss / 2 ** 20;
  const s = { start: mb(), warm: null, max: 0 };
  return {
    sample(progress) {
      const v = mb();
      if (s.warm === null && progress >= 0.1) s.warm = v;
      if (s.warm !== null) s.max = Math.max(s.max, v);
    },
    result() {
      const warm = s.warm ?? s.start;
      return { rssStartMb: Math.round(s.start), rssWarmMb: Math.round(warm), rssMaxMb: Math.round(Math.max(s.max, warm)), growthMb: Math.round(Math.max(0, s.max - warm)) };
    },
  };
}

async function decoder(cases, deadlineMs) {
  const shared = new SharedArrayBuffer(16 + 70000);
  const state = new Int32Array(shared, 0, 4);
  const t0 = performance.now();
  const rss = rssSampler();
  const worker = new Worker(new URL('./decoder-worker.mjs', import.meta.url), { workerData: { seed, cases, shared, saveLimit: saveDir ? 400 : 0 } });
  const violations = [];
  let hang = null;
  let summary = null;
  let last = -1;
  let lastChange = performance.now();
  const result = await new Promise((resolve) => {
    const timer = setInterval(() => {
      const done = Atomics.load(state, 0);
      rss.sample(done / cases);
      if (done !== last) {
        last = done;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > deadlineMs) {
        const n = state[1];
        hang = { index: done, ctx: state[2], hex: Buffer.from(new Uint8Array(shared, 16, n)).toString('hex') };
        clearInterval(timer);
        void worker.terminate().then(() => resolve('hang'));
      }
    }, Math.min(250, deadlineMs / 4));
    worker.on('message', (m) => {
      if (m.type === 'violation') violations.push(m);
      else if (m.type === 'progress') log(`  ${m.done} cases, ${Math.round(m.done / ((performance.now() - t0) / 1000))}/s, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
      else if (m.type === 'done') summary = m;
    });
    worker.on('error', (e) => {
      clearInterval(timer);
      violations.push({ violation: `worker crashed: ${e?.stack ?? e}` });
      resolve('crash');
    });
    worker.on('exit', () => {
      clearInterval(timer);
      resolve(summary ? 'done' : hang ? 'hang' : 'crash');
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  const mem = rss.result();
  const done = summary?.done ?? Atomics.load(state, 0);
  const report = {
    target: 'decoder', seed, cases: done, seconds: Number(seconds.toFixed(2)), casesPerSec: Math.round(done / seconds), result,
    violations: summary?.violations ?? violations.length, hang, ...mem, outcomes: summary?.outcomes, kinds: summary?.kinds, firstViolations: violations.slice(0, 5),
  };
  if (saveDir && summary) saveCorpus(summary.saved);
  return report;
}

function saveCorpus(saved) {
  mkdirSync(saveDir, { recursive: true });
  for (const s of saved) {
    const slug = `${s.kind}--${s.outcome.replace(/[^a-zA-Z0-9]+/g, "-").replace(/-+$/, "")}`.toLowerCase();
    writeFileSync(join(saveDir, `${slug}.hex`), `# mutation: ${s.kind}\n# context: ${s.ctx}\n# expect: ${s.outcome}\n${s.hex.replace(/(.{64})/g, '$1\n').trim()}\n`);
  }
  log(`  saved ${saved.length} cases to ${saveDir}`);
}

const live = async (n) => (await import('./live.mjs')).runLive({ seed, cases: n, deadlineMs: deadlineFor('live'), log, rssSampler });
const reports = [];
if (target !== 'live') reports.push(await decoder(cases, deadlineFor('decoder')));
if (target !== 'decoder') reports.push(await live(target === 'live' ? cases : liveCases));
const failedOne = (r) => r.result !== 'done' || r.violations > 0 || r.growthMb > maxGrowthMb;
for (const report of reports) print(report);
const failed = reports.some(failedOne);
if (!json && reports.length > 1) log(`total: ${reports.reduce((a, r) => a + r.cases, 0)} cases (${reports.map((r) => `${r.target} ${r.cases}`).join(', ')}): ${failed ? 'FAIL' : 'PASS'}`);

function print(report) {
  const failed = failedOne(report);
  if (json) return console.log(JSON.stringify(report));
  log(`${report.target}: ${report.cases} cases in ${report.seconds} s (${report.casesPerSec}/s), seed ${seed}: ${report.result}`);
  log(`  violations ${report.violations}${report.hang ? `, HANG at case ${report.hang.index}: ${report.hang.hex}` : ''}`);
  log(`  rss start ${report.rssStartMb} MB, after warm-up ${report.rssWarmMb} MB, max ${report.rssMaxMb} MB (growth ${report.growthMb} MB, limit ${maxGrowthMb})`);
  if (report.outcomes) log(`  outcomes ${JSON.stringify(report.outcomes)}`);
  for (const v of report.firstViolations ?? []) log(`  VIOLATION ${JSON.stringify(v)}`);
  if (report.extra) log(`  ${JSON.stringify(report.extra)}`);
  log(failed ? 'FAIL' : 'PASS');
}
process.exit(failed ? 1 : 0);
