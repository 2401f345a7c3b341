/**
 * A node joins: calico/node registers it in etcd (Node, IPAM block and affinity)
 * and its BIRD dials the replicas. Without any restart, every replica accepts its
 * sessions, its block reaches every node and every node's block reaches it; no
 * existing session bounces and no existing route is lost.
 */
import t from 'tap';
import { Fabric } from './lib/fabric.js';
import { MeshWatch, describeLosses, waitForFullMesh } from './lib/converge.js';
import { nodeAddresses, sessionFingerprints, waitForSessions } from './lib/sessions.js';

t.test('a node added in etcd gets sessions and routes with no restart', async (t) => {
  const fabric = await Fabric.start(t, { nodes: ['bird1', 'bird2', 'bird1', 'bird2'], pending: [4] });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric);
  const pids = fabric.replicas.map((r) => r.proc!.pid);
  const before = await sessionFingerprints(fabric);
  const watch = await MeshWatch.start(fabric);

  const added = await fabric.addNode(4);
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric);
  t.pass(`${added.spec.name}'s block is at every node and every block is at ${added.spec.name}`);
  t.same(fabric.replicas.map((r) => r.proc!.pid), pids, 'no replica restarted');
  t.ok(fabric.replicas.every((r) => r.running), 'every replica still runs');

  const after = await sessionFingerprints(fabric);
  for (const [key, value] of before) t.equal(after.get(key), value, `${key}: session untouched`);
  const losses = watch.losses(fabric, [4], { notAt: [added] });
  t.equal(losses.length, 0, 'no existing route was removed', { detail: describeLosses(losses) });
  await watch.stop();
});
