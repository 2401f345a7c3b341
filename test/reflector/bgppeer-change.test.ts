/**
 * A BGPPeer change that concerns one node only takes effect live and touches no other
 * session: rr-1's BGPPeer is narrowed with a nodeSelector that leaves node-3 out
 * (rr-1 drops node-3's session, node-3 keeps its routes through rr-2 and rr-3), then
 * a node-specific BGPPeer (`node: node-3`, its own maxRestartTime) brings node-3 back
 * to rr-1. Every other session stays up throughout: on both of its ends (the
 * replica's `bgp-rr peers` row and the node's BIRD) it has the same established-since
 * time as before; and no node loses any route.
 */
import t from 'tap';
import { Fabric } from './lib/fabric.js';
import { MeshWatch, describeLosses, freshPathProblems, meshProblems, waitForFullMesh, waitForPaths } from './lib/converge.js';
import { bouncedSessions, countEnds, establishedAt, nodeAddresses, sessionEnds, waitForSessions, type SessionEnd } from './lib/sessions.js';
import { acquireHeavySlot, waitFor } from '../harness/index.js';

t.test('a BGPPeer changed for one node only: no other session bounces', async (t) => {
  await acquireHeavySlot(t);
  const fabric = await Fabric.start(t, { nodes: ['bird1', 'bird2', 'bird1', 'bird2'] });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric);
  await waitForPaths(fabric, 3);
  const watch = await MeshWatch.start(fabric);
  const before = await sessionEnds(fabric);
  const pids = fabric.replicas.map((r) => r.proc!.pid);
  const rr1 = fabric.replicas[0]!;
  const rr1Address = fabric.hosts[0]!.ipv4;
  const node3 = fabric.nodes.get(3)!;
  // Every session but rr-1 <-> node-3, at both ends: 3 replicas x 4 nodes - 1.
  const others = (e: SessionEnd): boolean => !(e.replica === 'rr-1' && e.node === 'node-3');
  t.same(countEnds(before, others), { replica: 11, node: 11 }, 'both ends of the 11 other sessions read before the change');

  await fabric.datastore.putBGPPeer('rr-1', { peerIP: rr1Address, nodeSelector: "kubernetes.io/hostname != 'node-3'" });
  await waitFor(async () => !(await establishedAt(rr1)).has(node3.ipv4), { what: 'rr-1 drops node-3', timeoutMs: 30_000 });
  t.pass('rr-1 dropped node-3 live');
  t.same(bouncedSessions(before, await sessionEnds(fabric), others), [], 'every other session untouched: the same established-since at both ends');
  // node-3's paths from rr-1 may still be there, kept stale by graceful restart: only
  // fresh paths from rr-2 and rr-3 prove that node-3 still has every route, and that
  // node-3's block still reaches every node.
  t.same(await meshProblems(fabric), [], 'every node\'s kernel holds every other block');
  t.same(await freshPathProblems(fabric, { via: ['rr-2', 'rr-3'] }), [], 'every node, node-3 included, holds every other block through rr-2 and rr-3 (fresh paths)');

  await fabric.datastore.putBGPPeer('rr-1-node-3', { peerIP: rr1Address, node: 'node-3', maxRestartTime: '300s' });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForPaths(fabric, 3);
  t.pass('a node-specific BGPPeer brought node-3 back to rr-1: every node has every block from all three replicas again (fresh paths)');
  t.same(bouncedSessions(before, await sessionEnds(fabric), others), [], 'every other session still untouched: the same established-since at both ends');
  t.same(fabric.replicas.map((r) => r.proc!.pid), pids, 'no replica restarted');

  const losses = watch.losses(fabric);
  t.equal(losses.length, 0, 'no node lost a route', { detail: describeLosses(losses) });
  await watch.stop();
});
