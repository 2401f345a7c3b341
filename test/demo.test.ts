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
import { parseBirdRoutesAll } from '../scripts/demo/bird-routes.mjs';
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

t.test('what the demo reads from birdc show route all (BIRD 1.6 and BIRD 2)', async (t) => {
  const bird1 = [
    'BIRD 1.6.8 ready.',
    '172.16.2.0/24      unreachable [Global_127_146_0_1 10:47:17 from 127.146.0.1] * (100/-) [i]',
    '\tType: BGP unicast univ',
    '\tBGP.origin: IGP',
    '\tBGP.as_path: ',
    '\tBGP.next_hop: 127.146.1.2',
    '\tBGP.local_pref: 100',
    '\tBGP.originator_id: 127.146.1.2',
    '\tBGP.cluster_list: 244.0.0.1',
    '                   unreachable [Global_127_146_0_3 10:47:19 from 127.146.0.3] (100/-) [i]',
    '\tType: BGP unicast univ',
    '\tBGP.next_hop: 127.146.1.9',
    '172.16.3.0/24      unreachable [Global_127_146_0_2 10:47:16 from 127.146.0.2] * (100/-) [i]',
    '\tBGP.next_hop: 127.146.1.3',
    '',
  ].join('\n');
  t.same(Object.fromEntries(parseBirdRoutesAll(bird1)), {
    '172.16.2.0/24': [
      { from: '127.146.0.1', nextHop: '127.146.1.2', originatorId: '127.146.1.2', clusterList: ['244.0.0.1'] },
      { from: '127.146.0.3', nextHop: '127.146.1.9', originatorId: undefined, clusterList: [] },
    ],
    '172.16.3.0/24': [{ from: '127.146.0.2', nextHop: '127.146.1.3', originatorId: undefined, clusterList: [] }],
  }, 'one entry per path (ADD-PATH), attributes to the path above them');

  const bird2 = [
    'BIRD 2.0.12 ready.',
    'Table master4:',
    '172.16.2.0/24        unicast [Global_10_1_0_1 10:47:17.123 from 10.1.0.1] * (100/?) [i]',
    '\tvia 10.1.1.2 on eth0',
    '\tType: BGP univ',
    '\tBGP.next_hop: 10.1.1.2',
    '\tBGP.cluster_list: 244.0.0.1 244.0.0.2',
    'Table master6:',
    'fd00:10::/122        unicast [Global_fd00__1 10:47:17.123 from fd00::1] * (100/?) [i]',
    '\tBGP.next_hop: fd00::12 fe80::1',
  ].join('\n');
  t.same(Object.fromEntries(parseBirdRoutesAll(bird2)), {
    '172.16.2.0/24': [{ from: '10.1.0.1', nextHop: '10.1.1.2', originatorId: undefined, clusterList: ['244.0.0.1', '244.0.0.2'] }],
    'fd00:10::/122': [{ from: 'fd00::1', nextHop: 'fd00::12', originatorId: undefined, clusterList: [] }],
  }, 'table headers skipped, the global IPv6 next hop kept');
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
