// After the whole suite: what the tests left running. Every test cleans up what it
// starts (test/harness); this checks that it did, fails the run naming each leftover,
// then removes them.
//
// What counts as ours:
//   - every process whose environment carries BGP_RR_TEST_RUN=<this run's id>
//     (scripts/test.sh exports it; every daemon a test starts inherits it: BIRD,
//     etcd, gobgpd, bgp-rr, bgp-speaker, ip monitor ...);
//   - with --all (CI: a fresh machine where nothing else runs them): every bird,
//     bird6, etcd and gobgpd process started after the run began (RUN_ID starts with
//     its start time, epoch seconds: a distribution's own bird or etcd service, started
//     when the package was installed, is not ours);
//   - network namespaces named bgprr-<pid>-<starttime>-<k> (test/harness/netns.ts)
//     whose owner, a test process, is gone.
// Not ours, never touched: other checkouts' test runs on the same machine, and a bgp-rr
// or demo someone runs by hand from this checkout (it carries no mark).
//
// usage: node scripts/lib/leftovers.mjs RUN_ID OUT.tap [--all]
// Writes a one-assertion TAP file (ok, or not ok naming the leftovers) that
// count-tap.mjs adds to the count; prints a line; kills and deletes what it found.
// Exit 0 when nothing was left, 1 otherwise.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [runId, outFile, ...flags] = process.argv.slice(2);
if (!runId || !outFile) {
  process.stderr.write('usage: leftovers.mjs RUN_ID OUT.tap [--all]\n');
  process.exit(2);
}
const all = flags.includes('--all');
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = `${root}/packages/reflector/bin/bgp-rr.js`;
// BGP_RR_LEFTOVER_DAEMONS (comma-separated) replaces the names, for this script's own test.
const DAEMONS = new Set((process.env.BGP_RR_LEFTOVER_DAEMONS ?? 'bird,bird6,etcd,gobgpd').split(','));
const MARK = `BGP_RR_TEST_RUN=${runId}`;
const RUN_START = Number(runId.split('-')[0]);

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** [state, ppid, start time] of pid from /proc/<pid>/stat (the name may hold spaces and ')'). */
function stat(pid) {
  const s = read(`/proc/${pid}/stat`);
  if (s === undefined) return undefined;
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { state: f[0], ppid: Number(f[1]), start: f[19] };
}

/** When `pid` started, epoch seconds (/proc/<pid>/stat field 22, clock ticks after boot). */
const BOOT = Number(/^btime (\d+)$/m.exec(read('/proc/stat') ?? '')?.[1] ?? 0);
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
const startedAt = (st) => BOOT + Number(st.start) / TICKS;

/** This process and its ancestors (test.sh, npm ...): they carry the mark too. */
function ancestors() {
  const out = new Set();
  for (let pid = process.pid; pid > 1 && !out.has(pid); pid = stat(pid)?.ppid ?? 0) out.add(pid);
  return out;
}

function leftoverProcesses() {
  const skip = ancestors();
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (skip.has(pid)) continue;
    const st = stat(pid);
    if (st === undefined || st.state === 'Z') continue;
    const argv = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);
    if (argv.length === 0) continue; // a kernel thread
    const comm = (read(`/proc/${pid}/comm`) ?? '').trim();
    const env = (read(`/proc/${pid}/environ`) ?? '').split('\0');
    const marked = env.includes(MARK);
    const ours = all && DAEMONS.has(comm) && (!(RUN_START > 0) || startedAt(st) >= RUN_START - 1);
    if (marked || ours) found.push({ pid, comm: argv.includes(BIN) ? 'bgp-rr' : comm, cmd: argv.join(' ').slice(0, 200) });
  }
  return found;
}

function leftoverNamespaces() {
  let list = '';
  try {
    list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return [];
  }
  return list
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => {
      const m = /^bgprr-(\d+)-(\d+)-\d+$/.exec(n);
      return m !== null && stat(Number(m[1]))?.start !== m[2];
    });
}

let procs = leftoverProcesses();
let namespaces = leftoverNamespaces();
if (procs.length + namespaces.length > 0) {
  // What a test process killed as it exited may take a moment to be gone.
  await new Promise((r) => setTimeout(r, 2000));
  const still = new Set(leftoverProcesses().map((p) => p.pid));
  procs = procs.filter((p) => still.has(p.pid));
  namespaces = leftoverNamespaces().filter((n) => namespaces.includes(n));
}
const lines = [
  ...procs.map((p) => `process ${p.comm} (pid ${p.pid}): ${p.cmd}`),
  ...namespaces.map((n) => `network namespace ${n}`),
];
const what = 'no BIRD, etcd, gobgpd, bgp-rr or other test process and no test network namespace left after the suite';
if (lines.length === 0) {
  writeFileSync(outFile, `TAP version 14\nok 1 - ${what}\n1..1\n`);
  process.stdout.write('leftovers: none (no BIRD, etcd, gobgpd, bgp-rr or other test process, no test network namespace)\n');
  process.exit(0);
}
writeFileSync(outFile, `TAP version 14\nnot ok 1 - ${what}\n  ---\n  found:\n${lines.map((l) => `    - ${JSON.stringify(l)}`).join('\n')}\n  ...\n1..1\n`);
process.stdout.write(`leftovers: FAILED: the tests left ${lines.length} behind (removed now):\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
for (const p of procs) {
  try {
    process.kill(p.pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
for (const n of namespaces) {
  try {
    for (const pid of execFileSync('ip', ['netns', 'pids', n], { encoding: 'utf8' }).split(/\s+/).filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
  } catch {
    // no process inside, or gone
  }
  try {
    execFileSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
  } catch {
    // deleted meanwhile
  }
}
process.exit(1);
