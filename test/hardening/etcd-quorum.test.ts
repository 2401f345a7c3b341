/**
 * A three-member etcd loses a member to SIGKILL and another to a network partition
 * in network namespaces (test/reflector/lib/fabric.ts): reflector host i
 * runs etcd member m<i-1> and replica rr-i; the nodes run BIRD.
 *
 *   1. m0 (on host 1) is killed; host 3's LAN link is set down, cutting m2 (and rr-3,
 *      which shares that host) off. m1 is left alone: no quorum, the datastore is
 *      unreadable for every replica.
 *      rr-1 and rr-2 report health degraded (their watch is open but silent).
 *   2. For BGP_RR_QUORUM_DOWN_SECONDS (default 30): no session of rr-1 or rr-2 drops
 *      (rr-3's do, its host being unreachable: that is the partition, not etcd), and
 *      every node keeps every other node's block (routes flow through rr-1 and rr-2).
 *   3. Link up, m0 restarted: quorum is back; a node added to the datastore then gets
 *      its sessions with all three replicas and its block reaches everyone.
 */
import t from 'tap';
import { acquireHeavySlot, requireTool, waitFor } from '../harness/index.js';
import { Fabric } from '../reflector/lib/fabric.js';
import { freshPathProblems, meshProblems, waitForFullMesh } from '../reflector/lib/converge.js';
import type { Replica } from '../reflector/lib/replica.js';
import { bouncedSessions, nodeAddresses, sessionEnds, waitForSessions } from '../reflector/lib/sessions.js';

const DOWN_SECONDS = Number(process.env.BGP_RR_QUORUM_DOWN_SECONDS ?? 30);

t.test('etcd: one member killed and one partitioned: no session of a reachable replica drops', async (t) => {
  await acquireHeavySlot(t);
  const fabric = await Fabric.start(t, { nodes: ['bird1', 'bird2', 'bird1', 'bird1'], pending: [4] });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric);
  const before = await sessionEnds(fabric);
  // rr-3 shares host 3 with m2, which is cut off: its sessions drop by design (the partition, not etcd).
  const reachable = (e: { replica: string }): boolean => e.replica !== 'rr-3';
  const [rr1, rr2, rr3] = fabric.replicas as [Replica, Replica, Replica];
  const health = async (r: Replica): Promise<string> => ((await r.json(['status'])) as { health: string }).health;

  // 1. m0 killed, host 3 partitioned.
  await fabric.etcd.members[0]!.kill('SIGKILL');
  const lanIf = `lan${fabric.lan.index}`;
  await fabric.hosts[2]!.ns.ip(['link', 'set', lanIf, 'down']);
  t.teardown(async () => {
    try {
      await fabric.hosts[2]!.ns.ip(['link', 'set', lanIf, 'up']);
    } catch {
      // the namespace is gone already
    }
  });
  // m1 alone cannot elect a leader (election timeout 500 ms): a write must fail now.
  const cut = await fabric.hosts[1]!.ns.exec(requireTool('etcdctl'), ['--endpoints', fabric.etcd.members[1]!.clientUrl, '--dial-timeout=2s', '--command-timeout=3s', 'put', '/bgp-rr-test/quorum', 'x']);
  t.not(cut.code, 0, `etcd has lost its quorum: a write to m1 fails (${(cut.stderr || cut.stdout).trim().split('\n').pop()})`);
  // The watch on a leaderless member stays open but silent: the watcher's leader probe
  // (Maintenance.Status) must still report the datastore lost, as health degraded.
  await waitFor(async () => (await health(rr1)) === 'degraded' && (await health(rr2)) === 'degraded', {
    what: 'rr-1 and rr-2 report health degraded without quorum',
    timeoutMs: 30_000,
    intervalMs: 500,
  });
  const etcdState = async (r: Replica): Promise<string> => {
    const e = ((await r.json(['status'])) as { etcd: { state: string; lastError: string | null } }).etcd;
    return `${e.state}${e.lastError ? ` (${e.lastError})` : ''}`;
  };
  t.pass(`without quorum: rr-1 etcd ${await etcdState(rr1)}, rr-2 etcd ${await etcdState(rr2)}: health degraded`);

  // 2. Time passes without a datastore.
  await new Promise((r) => setTimeout(r, DOWN_SECONDS * 1000));
  t.same(bouncedSessions(before, await sessionEnds(fabric), reachable), [], `after ${DOWN_SECONDS} s without quorum: no session of rr-1 or rr-2 dropped or came up again (since at both ends)`);
  t.same(await meshProblems(fabric), [], 'every node still holds every other node\'s block');
  t.same(await freshPathProblems(fabric, { via: ['rr-1', 'rr-2'] }), [], 'through fresh paths of rr-1 and rr-2 (not rr-3\'s stale copies kept by graceful restart)');

  // 3. Back: link up, m0 restarted; a node added now is applied everywhere.
  await fabric.hosts[2]!.ns.ip(['link', 'set', lanIf, 'up']);
  await fabric.etcd.members[0]!.start();
  await waitFor(async () => (await health(rr1)) === 'ok' && (await health(rr2)) === 'ok' && (await health(rr3)) === 'ok', {
    what: 'every replica back on etcd (health ok)',
    timeoutMs: 90_000,
    intervalMs: 500,
  });
  await fabric.addNode(4);
  await waitForSessions(fabric, nodeAddresses(fabric), 120_000);
  await waitForFullMesh(fabric, 4, 120_000);
  t.pass('quorum back: node-4, added afterwards, has its sessions with all three replicas and every node has its block');
  t.same(bouncedSessions(before, await sessionEnds(fabric), reachable), [], 'and still no session of rr-1 or rr-2 dropped');
});

