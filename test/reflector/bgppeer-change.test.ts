/**
 * A BGPPeer change that concerns one node only takes effect live and touches no other
 * session: rr-1's BGPPeer is narrowed with a nodeSelector that leaves node-3 out
 * (rr-1 drops node-3's session, node-3 keeps its routes through rr-2 and rr-3), then
 * a node-specific BGPPeer (`node: node-3`, its own maxRestartTime) brings node-3 back
 * to rr-1. Every other session on every replica stays up throughout, with the same
 * count of Established transitions, and no node loses any route.
 */
import t from 'tap';
import { Fabric } from './lib/fabric.js';
import { MeshWatch, describeLosses, meshProblems, waitForFullMesh } from './lib/converge.js';
import { establishedAt, nodeAddresses, sessionFingerprints, waitForSessions } from './lib/sessions.js';
import { waitFor } from '../harness/index.js';

t.test('a BGPPeer changed for one node only: no other session bounces', async (t) => {
  const fabric = await Fabric.start(t, { nodes: ['bird1', 'bird2', 'bird1', 'bird2'] });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric);
  const watch = await MeshWatch.start(fabric);
  const before = await sessionFingerprints(fabric);
  const pids = fabric.replicas.map((r) => r.proc!.pid);
  const rr1 = fabric.replicas[0]!;
  const rr1Address = fabric.hosts[0]!.ipv4;
  const node3 = fabric.nodes.get(3)!;
  const others = (fp: Map<string, string>): Map<string, string> => new Map([...fp].filter(([k]) => k !== `rr-1 ${node3.ipv4}`));

  await fabric.datastore.putBGPPeer('rr-1', { peerIP: rr1Address, nodeSelector: "kubernetes.io/hostname != 'node-3'" });
  await waitFor(async () => !(await establishedAt(rr1)).has(node3.ipv4), { what: 'rr-1 drops node-3', timeoutMs: 30_000 });
  t.pass('rr-1 dropped node-3 live');
  t.same(others(await sessionFingerprints(fabric)), others(before), 'every other session untouched');
  t.same(await meshProblems(fabric), [], 'node-3 keeps every route through rr-2 and rr-3');

  await fabric.datastore.putBGPPeer('rr-1-node-3', { peerIP: rr1Address, node: 'node-3', maxRestartTime: '300s' });
  await waitForSessions(fabric, nodeAddresses(fabric));
  t.pass('a node-specific BGPPeer brought node-3 back to rr-1');
  t.same(others(await sessionFingerprints(fabric)), others(before), 'every other session still untouched');
  t.same(fabric.replicas.map((r) => r.proc!.pid), pids, 'no replica restarted');

  const losses = watch.losses(fabric);
  t.equal(losses.length, 0, 'no node lost a route', { detail: describeLosses(losses) });
  await watch.stop();
});
