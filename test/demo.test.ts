/**
 * `npm run demo -- --once` (scripts/demo.mjs) as CI runs it, with 6 nodes instead of
 * 50: a real etcd, three `bgp-rr run` replicas and six real BIRD 1.6 nodes (BIRD 2 or
 * the bgp-speaker where BIRD 1.6 is missing) on a leased loopback block. The demo
 * must exit 0 only once it has seen, on every node, every other node's block; it must
 * fail with a clear message and a non-zero code when it cannot get there in time; and
 * it must leave no process and no file behind either way.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, run, spawnProc, type Proc, type Teardown } from './harness/index.js';
import { complete, failureReport, nodeState } from '../scripts/demo/view.mjs';

const DEMO = join(REPO_ROOT, 'scripts', 'demo.mjs');

interface DemoRun {
  code: number | null;
  output: string;
  dir: string | undefined;
}

/** Runs the demo to its end; stopped (SIGTERM, then SIGKILL) if the test ends first. */
async function demo(t: Teardown, args: readonly string[]): Promise<DemoRun> {
  const proc: Proc = spawnProc(t, process.execPath, [DEMO, ...args], { name: 'demo', killTimeoutMs: 30_000 });
  const info = await proc.exited;
  const dir = /configs, sockets and etcd data in (\S+)/.exec(proc.output)?.[1];
  return { code: info.code, output: proc.output, dir };
}

/** Processes whose command line names the demo's directory (its BIRDs, replicas, etcd). */
async function leftovers(dir: string): Promise<string> {
  const res = await run('pgrep', ['-af', dir]);
  return res.stdout.trim();
}

t.test('demo --once: every node ends up holding every other node\'s block', async (t) => {
  const r = await demo(t, ['--once', '--nodes', '6', '--timeout', '150']);
  t.equal(r.code, 0, 'exit 0', { output: r.output.slice(-6000) });
  t.match(r.output, /OK: every node holds every other node's block \(6 nodes, 3 replicas\), checked on every node/);
  t.match(r.output, /6\/6 hold all 5 other blocks/, 'checked on each node');
  t.match(r.output, /rr-1 +\S+ +ok +6\/6 /, 'rr-1: healthy, 6 of 6 sessions Established');
  t.match(r.output, /stopped, everything cleaned up/);
  t.notMatch(r.output, /demo: teardown:/, 'every replica, node and etcd stopped on SIGTERM (none had to be killed)');
  t.ok(r.dir, 'the demo names its directory');
  if (r.dir === undefined) return;
  t.equal(await leftovers(r.dir), '', 'no BIRD, replica or etcd left running');
  t.notOk(existsSync(r.dir), 'its directory is removed');
});

t.test('demo --once that runs out of time: exit 1, a clear message, nothing left behind', async (t) => {
  // 10 ms: not even etcd can be serving by then.
  const r = await demo(t, ['--once', '--nodes', '3', '--timeout', '0.01']);
  t.equal(r.code, 1, 'exit 1', { output: r.output.slice(-4000) });
  t.match(r.output, /FAILED: the cluster did not start within 0\.01 s/);
  t.match(r.output, /stopped, everything cleaned up/);
  if (r.dir !== undefined) {
    t.equal(await leftovers(r.dir), '', 'nothing left running');
    t.notOk(existsSync(r.dir), 'its directory is removed');
  }
});

t.test('demo with bad options: exit 2 and the usage', async (t) => {
  const r = await demo(t, ['--nodes', '1']);
  t.equal(r.code, 2);
  t.match(r.output, /--nodes must be 2\.\.250/);
  t.match(r.output, /usage: npm run demo/);
});

t.test('how the demo judges a node, and what it says when one lacks blocks', async (t) => {
  const nodes = [1, 2, 3].map((k) => ({ name: `node-${k}`, address: `127.77.1.${k}`, block: `172.16.${k}.0/24` }));
  const [n1, n2, n3] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
  const cluster = { nodes, replicas: [{ name: 'rr-1', proc: { output: 'line one\nlast line of rr-1\n', running: true } }] };

  const full = nodeState(cluster, n1, new Map([[n2.block, [{ nextHop: n2.address }, { nextHop: n2.address }]], [n3.block, [{ nextHop: n3.address }]]]));
  t.same({ held: full.held, missing: full.missing, fewestPaths: full.fewestPaths }, { held: 2, missing: [], fewestPaths: 1 }, 'every other block, via its owner');
  t.ok(complete({ nodes: [full] }));

  // node-2's block arrives with a NEXT_HOP that is not node-2 (a reflector must not
  // change it, RFC 4456 §10), node-3's block not at all.
  const lacking = nodeState(cluster, n1, new Map([[n2.block, [{ nextHop: '127.77.9.9' }]]]));
  t.same(lacking.missing.map((o) => o.name), ['node-2', 'node-3']);
  t.same(lacking.wrongNextHop, ['172.16.2.0/24 via 127.77.9.9 (want 127.77.1.2)']);
  t.notOk(complete({ nodes: [full, lacking] }), 'one node short: not complete');

  const report = failureReport(cluster, { nodes: [full, lacking] });
  t.match(report, /node-1: lacks the blocks of node-2 node-3/);
  t.match(report, /NEXT_HOP changed: 172\.16\.2\.0\/24 via 127\.77\.9\.9 \(want 127\.77\.1\.2\)/);
  t.match(report, /--- rr-1 \(running\), last output:\n(.*\n)*last line of rr-1/, "the replicas' last output");
  t.notMatch(report, /node-2:|node-3:/, 'complete nodes are not listed');
});
