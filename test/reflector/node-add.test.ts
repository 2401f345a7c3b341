/**
 * A node joins: calico/node registers it in etcd (Node, IPAM block and affinity)
 * and its BIRD dials the replicas. Without any restart, every replica accepts its
 * sessions, its block reaches every node and every node's block reaches it; no
 * existing session bounces (both ends of each, the replica's `bgp-rr peers` row and
 * the node's BIRD, keep their established-since time) and no existing route is lost.
 */
import t from 'tap';
import { Fabric } from './lib/fabric.js';
import { MeshWatch, describeLosses, waitForFullMesh, waitForPaths } from './lib/converge.js';
import { bouncedSessions, countEnds, nodeAddresses, sessionEnds, waitForSessions } from './lib/sessions.js';
import { acquireHeavySlot } from '../harness/index.js';

t.test('a node added in etcd gets sessions and routes with no restart', async (t) => {
  await acquireHeavySlot(t);
  const fabric = await Fabric.start(t, { nodes: ['bird1', 'bird2', 'bird1', 'bird2'], pending: [4] });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric);
  const pids = fabric.replicas.map((r) => r.proc!.pid);
  const before = await sessionEnds(fabric);
  t.same(countEnds(before), { replica: 9, node: 9 }, 'both ends of the 9 existing sessions (3 replicas x 3 nodes) read before');
  const watch = await MeshWatch.start(fabric);

  const added = await fabric.addNode(4);
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric);
  // Every block from all three replicas, on fresh paths only (lib/converge.ts freshBgpRoutes).
  await waitForPaths(fabric, 3);
  t.pass(`${added.spec.name}'s block is at every node and every block is at ${added.spec.name}, from all three replicas`);
  t.same(fabric.replicas.map((r) => r.proc!.pid), pids, 'no replica restarted');
  t.ok(fabric.replicas.every((r) => r.running), 'every replica still runs');

  t.same(bouncedSessions(before, await sessionEnds(fabric)), [], 'every existing session untouched: the same established-since at both ends');
  const losses = watch.losses(fabric, [4], { notAt: [added] });
  t.equal(losses.length, 0, 'no existing route was removed', { detail: describeLosses(losses) });
  await watch.stop();
});
