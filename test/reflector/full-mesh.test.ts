/**
 * Three bgp-rr replicas reflect every node's block to every other node (RFC 4456):
 * BIRD 1.6 and BIRD 2 nodes configured as calico/node does, a three-member etcd.
 * Every node's kernel table holds every other node's /24 via that node's address
 * (NEXT_HOP untouched), and each node sees ORIGINATOR_ID and CLUSTER_LIST set.
 */
import t from 'tap';
import { CLUSTER_ID, Fabric } from './lib/fabric.js';
import { waitForFullMesh } from './lib/converge.js';
import { nodeAddresses, waitForSessions } from './lib/sessions.js';
import { acquireHeavySlot } from '../harness/index.js';

t.test('every node holds every other node\'s block via that node', async (t) => {
  await acquireHeavySlot(t);
  const fabric = await Fabric.start(t, { nodes: ['bird1', 'bird2', 'bird1', 'bird2', 'bird1'] });
  await waitForSessions(fabric, nodeAddresses(fabric));
  await waitForFullMesh(fabric, 4);
  t.pass('every node\'s kernel has the 4 other nodes\' /24 via their addresses');

  // RFC 4456 §8: the reflected route carries ORIGINATOR_ID (the originating node's
  // router id) and CLUSTER_LIST (our cluster id); BIRD shows both.
  const n1 = fabric.nodes.get(1)!;
  const n2 = fabric.nodes.get(2)!;
  const paths = (await n1.bird.bgpRoutes(4)).get(n2.block4) ?? [];
  t.same(paths.map((p) => p.from).sort(), fabric.hosts.map((h) => h.ipv4).sort(), 'one path per replica (ADD-PATH)');
  t.same(paths.map((p) => p.nextHop), paths.map(() => n2.ipv4), 'NEXT_HOP is the originating node on every path');
  t.same(paths.map((p) => p.originatorId), paths.map(() => n2.ipv4), 'ORIGINATOR_ID is the originating node');
  t.same(paths.map((p) => p.clusterList), paths.map(() => [CLUSTER_ID]), 'CLUSTER_LIST holds the cluster id');

  // Each replica has one row per node, with the node's block received and accepted.
  for (const r of fabric.replicas) {
    const rows = await r.peers();
    t.equal(rows.filter((row) => row.state === 'Established').length, 5, `${r.opts.name}: 5 Established sessions`);
    t.ok(rows.every((row) => row.accepted === 1), `${r.opts.name}: one accepted prefix per node`);
  }
});
