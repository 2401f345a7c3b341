/**
 * ADD-PATH end to end (RFC 7911): a service CIDR that several nodes
 * announce (BGPConfiguration serviceClusterIPs, as Calico advertises service IPs) reaches
 * every other BIRD 1.6 node (`add paths on`) with every path, so a client can spread
 * traffic over all of them (ECMP); the node that announced one path gets the others but
 * never its own back.
 */
import t from 'tap';
import { waitFor } from '../../../../test/harness/index.js';
import { DEFAULT_AS, resource, resourceKey } from '../../../../test/harness/calico-cluster.js';
import type { RouteRow } from '../../src/control/protocol.js';
import { nextHops } from '../../../../test/harness/bird-routes.js';
import { startReflectorCluster } from '../../../../test/harness/reflector-cluster.js';

const SERVICES = '10.96.0.0/12';

t.test('ADD-PATH: a service CIDR announced by two nodes reaches the others with both paths', async (t) => {
  const c = await startReflectorCluster(t, { nodes: [2, 3, 4] });
  await c.etcd.put(
    resourceKey('bgpconfigurations', 'default'),
    resource('BGPConfiguration', 'default', { logSeverityScreen: 'Info', nodeToNodeMeshEnabled: false, asNumber: DEFAULT_AS, serviceClusterIPs: [{ cidr: SERVICES }] }),
  );
  c.startReflector();
  await c.reflectorReady();
  await c.startNode(2, { announce: ['172.16.2.0/24', SERVICES] });
  await c.startNode(3, { announce: ['172.16.3.0/24', SERVICES] });
  await c.startNode(4);
  const [a2, a3] = [c.block.addr(2), c.block.addr(3)];

  // The BGP NEXT_HOP of each path BIRD holds for the prefix (on loopback BIRD shows the
  // routes themselves as unreachable: no kernel here, the next hops are not resolved).
  const paths = async (node: string): Promise<(string | undefined)[]> => nextHops(await c.birdRoutes(node), SERVICES).sort();
  const atN4 = await waitFor(async () => {
    const p = await paths('n4');
    return p.length === 2 ? p : undefined;
  }, { what: `n4 holds two paths for ${SERVICES}`, timeoutMs: 60_000, intervalMs: 500 });
  t.same(atN4, [a2, a3].sort(), 'n4: one path via n2 and one via n3, NEXT_HOP untouched');

  await c.waitRoutes('n2', ['172.16.3.0/24', '172.16.4.0/24', SERVICES]);
  t.same(await paths('n2'), [a3], 'n2: n3\'s path only, never its own back');
  t.same(await paths('n3'), [a2], 'n3: n2\'s path only, never its own back');

  const rows = await c.json<RouteRow[]>(['routes', SERVICES]);
  t.equal(rows.length, 1);
  t.same(rows[0]!.paths.map((p) => p.node).sort(), ['n2', 'n3'], 'Loc-RIB: both paths');
  t.equal(rows[0]!.paths.filter((p) => p.best).length, 1, 'one best path');
});
