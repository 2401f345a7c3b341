/**
 * A node whose BGP router id is not its address. calico/node sets BIRD's `router id`
 * to the node's IPv4 address unless CALICO_ROUTER_ID gives another
 * (docs/calico-datastore.md §4). A reflector sets ORIGINATOR_ID to "the BGP Identifier
 * of the originator of the route in the local AS" (RFC 4456 §8), the one from its OPEN,
 * and leaves NEXT_HOP alone (RFC 4456 §10): so the other nodes must see the router id as
 * BGP.originator_id and still the node's address as BGP.next_hop.
 *
 *   n2  BIRD 1.6, router id 10.255.0.2
 *   n3  BIRD 1.6, router id = its address (the default)
 *   n4  BIRD 2,   router id 10.255.0.4
 */
import t from 'tap';
import { nextHops } from '../harness/bird-routes.js';
import { CLUSTER_ID, startReflectorCluster } from '../harness/reflector-cluster.js';
import type { PeerDetail } from '../../packages/reflector/src/control/protocol.js';

t.test('ORIGINATOR_ID is the router id from the node\'s OPEN, NEXT_HOP its address', async (t) => {
  const c = await startReflectorCluster(t, { nodes: [2, 3, 4] });
  c.startReflector();
  await c.reflectorReady();
  const a = (i: number): string => c.block.addr(i);
  const id = { n2: '10.255.0.2', n3: a(3), n4: '10.255.0.4' };
  await c.startNode(2, { routerId: id.n2 });
  await c.startNode(3);
  await c.startNode(4, { flavor: 'bird2', routerId: id.n4 });
  await c.waitEstablished(['n2', 'n3', 'n4']);

  for (const name of ['n2', 'n3', 'n4'] as const) {
    const d = await c.json<PeerDetail>(['peer', name]);
    t.same([d.address, d.routerId], [a(Number(name[1])), id[name]], `bgp-rr peer ${name}: address ${d.address}, router id ${d.routerId} (its OPEN's BGP Identifier)`);
  }

  const routes = {
    n2: await c.waitRoutes('n2', ['172.16.3.0/24', '172.16.4.0/24']),
    n3: await c.waitRoutes('n3', ['172.16.2.0/24', '172.16.4.0/24']),
    n4: await c.waitRoutes('n4', ['172.16.2.0/24', '172.16.3.0/24']),
  };
  const seen = (at: 'n2' | 'n3' | 'n4', prefix: string): [string | undefined, string | undefined, readonly string[]][] =>
    (routes[at].get(prefix) ?? []).map((p) => [p.originatorId, p.nextHop, p.clusterList]);
  t.same(seen('n3', '172.16.2.0/24'), [[id.n2, a(2), [CLUSTER_ID]]], 'n3 (BIRD 1.6): n2\'s block with ORIGINATOR_ID 10.255.0.2, NEXT_HOP n2\'s address');
  t.same(seen('n4', '172.16.2.0/24'), [[id.n2, a(2), [CLUSTER_ID]]], 'n4 (BIRD 2): the same');
  t.same(seen('n2', '172.16.4.0/24'), [[id.n4, a(4), [CLUSTER_ID]]], 'n2: n4\'s (BIRD 2) block with ORIGINATOR_ID 10.255.0.4, NEXT_HOP n4\'s address');
  t.same(seen('n3', '172.16.4.0/24'), [[id.n4, a(4), [CLUSTER_ID]]], 'n3: the same');
  t.same(seen('n2', '172.16.3.0/24'), [[a(3), a(3), [CLUSTER_ID]]], 'n2: n3\'s block, router id = address: both the same address');
  t.same(nextHops(routes.n4, '172.16.3.0/24'), [a(3)], 'n4: n3\'s block via n3\'s address');
});
