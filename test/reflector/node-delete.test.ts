/**
 * A node leaves: `calicoctl delete node` removes its Node, IPAM block and affinity.
 * Its BIRD is still running (and keeps dialling), but the replicas drop its sessions
 * and withdraw its block everywhere; every other session stays up (both ends of each,
 * the replica's `bgp-rr peers` row and the node's BIRD, keep their established-since
 * time) and every other route stays, untouched.
 */
import t from 'tap';
import { Fabric } from './lib/fabric.js';
import { MeshWatch, describeLosses, freshPathProblems, meshProblems, waitForFullMesh, waitForPaths } from './lib/converge.js';
import { kernelRoutes } from '../harness/calico-node.js';
import { bouncedSessions, countEnds, establishedAt, nodeAddresses, sessionEnds, waitForSessions, type SessionEnd } from './lib/sessions.js';
import { acquireHeavySlot, waitFor } from '../harness/index.js';

t.test('a node deleted in etcd: its routes are withdrawn everywhere', async (t) => {
  await acquireHeavySlot(t);
  const fabric = await Fabric.start(t, { nodes: ['bird1', 'bird2', 'bird1', 'bird2'] });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric);
  await waitForPaths(fabric, 3);
  const watch = await MeshWatch.start(fabric);
  const gone = fabric.nodes.get(4)!;
  const before = await sessionEnds(fabric);
  const others = (e: SessionEnd): boolean => e.node !== gone.spec.name;
  t.same(countEnds(before, others), { replica: 9, node: 9 }, 'both ends of the 9 sessions of the other nodes read before');

  await fabric.deleteNode(4);
  const rest = [...fabric.nodes.values()].filter((n) => n !== gone);
  await waitFor(
    async () => {
      for (const n of rest) if ((await kernelRoutes(n.ns, 4)).has(gone.block4)) return false;
      return true;
    },
    { what: `${gone.block4} withdrawn from every other node`, timeoutMs: 60_000, intervalMs: 500 },
  );
  t.pass(`${gone.block4} is gone from every other node's kernel`);
  for (const r of fabric.replicas) t.notOk((await establishedAt(r)).has(gone.ipv4), `${r.opts.name} has no session with ${gone.spec.name}`);

  fabric.nodes.delete(4); // from now on the cluster is nodes 1-3
  t.same(bouncedSessions(before, await sessionEnds(fabric), others), [], 'every other session untouched: the same established-since at both ends');
  t.same(await meshProblems(fabric), [], 'the remaining nodes\' kernels still hold each other\'s blocks');
  t.same(await freshPathProblems(fabric), [], 'through fresh paths (not stale copies kept by graceful restart)');
  const losses = watch.losses(fabric, [4], { notAt: [gone], notOf: [gone] });
  t.equal(losses.length, 0, 'no other route was removed', { detail: describeLosses(losses) });
  await watch.stop();
});
