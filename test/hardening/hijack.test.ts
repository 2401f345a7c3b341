/**
 * Hijack attempts: a node announcing another node's block, another node's pod
 * address, a default route and a prefix outside every pool; an address that is no
 * Calico node announcing anything. No other node receives any of it; `bgp-rr routes
 * --rejected` shows each rejected path with its reason; a legitimately borrowed /32
 * (IPAM secondary.node) still flows. Then a block moves to another node in etcd: its
 * route moves with it, without a session reset.
 */
import t from 'tap';
import { AFFINITY_CONFIRMED, affinityKey, blockKey, blockValue } from '../harness/calico-cluster.js';
import { waitFor } from '../harness/index.js';
import { nextHops } from '../harness/bird-routes.js';
import { startReflectorCluster } from '../harness/reflector-cluster.js';
import type { RouteRow } from '../../packages/reflector/src/control/protocol.js';

/** n2's block with 172.16.2.9 allocated to a pod on n4 (a borrowed address). */
function blockWithBorrowed(cidr: string, owner: string, index: number, usedOn: string): string {
  const allocations: (number | null)[] = new Array<number | null>(256).fill(null);
  allocations[index] = 0;
  return JSON.stringify({
    cidr, affinity: `host:${owner}`, allocations, unallocated: [],
    attributes: [{ handle_id: 'k8s-pod-network.x', secondary: { namespace: 'default', node: usedOn, pod: 'web-0' } }],
    sequenceNumber: 1, sequenceNumberForAllocation: {}, deleted: false,
  });
}

t.test('hijack attempts reach no node; the reasons are shown; a moved block moves its route', async (t) => {
  const c = await startReflectorCluster(t, { nodes: [2, 3, 4] });
  await c.etcd.put(blockKey('172.16.2.0/24'), blockWithBorrowed('172.16.2.0/24', 'n2', 9, 'n4'));
  c.startReflector();
  await c.reflectorReady();
  await c.startNode(2);
  await c.startNode(3);
  const bad = ['172.16.2.0/24', '172.16.3.7/32', '0.0.0.0/0', '10.99.0.0/16'];
  await c.startNode(4, { announce: ['172.16.4.0/24', '172.16.2.9/32', ...bad] });
  // 127.N.0.9 is no Calico node: it dials the replica and announces a pool prefix and a default route.
  const stranger = await c.startNode(9, { announce: ['172.16.9.0/24', '0.0.0.0/0'], name: 'stranger' });

  await c.waitEstablished(['n2', 'n3', 'n4']);
  const rejected = await waitFor(async () => {
    const rows = await c.json<RouteRow[]>(['routes', '--rejected']);
    return rows.length >= bad.length ? rows : undefined;
  }, { what: 'the hijack attempts in `bgp-rr routes --rejected`', timeoutMs: 60_000, intervalMs: 300 });
  t.same(
    rejected.map((r) => [r.prefix, r.paths.map((p) => [p.node, p.rejected?.kind, p.rejected?.reason])]).sort(),
    [
      ['0.0.0.0/0', [['n4', 'policy', '0.0.0.0/0 is outside every IP pool and service CIDR']]],
      ['10.99.0.0/16', [['n4', 'policy', '10.99.0.0/16 is outside every IP pool and service CIDR']]],
      ['172.16.2.0/24', [['n4', 'policy', 'block 172.16.2.0/24 is owned by n2']]],
      ['172.16.3.7/32', [['n4', 'policy', '172.16.3.7/32 is in block 172.16.3.0/24 owned by n3']]],
    ],
    'bgp-rr routes --rejected: each hijack attempt, from n4, with its kind and reason',
  );

  const a = (i: number): string => c.block.addr(i);
  const n2 = await c.waitRoutes('n2', ['172.16.3.0/24', '172.16.4.0/24', '172.16.2.9/32']);
  const n3 = await c.waitRoutes('n3', ['172.16.2.0/24', '172.16.4.0/24', '172.16.2.9/32']);
  t.same(nextHops(n3, '172.16.2.0/24'), [a(2)], 'n3: n2\'s block only via n2');
  t.same(nextHops(n2, '172.16.2.9/32'), [a(4)], 'n2: the borrowed address via n4 (IPAM secondary.node)');
  t.same(nextHops(n2, '172.16.4.0/24'), [a(4)]);
  for (const [name, routes] of [['n2', n2], ['n3', n3]] as const) {
    t.notOk(routes.has('0.0.0.0/0'), `${name}: no default route`);
    t.notOk(routes.has('172.16.9.0/24'), `${name}: nothing from the stranger`);
  }
  const peers = await c.peers();
  t.notOk(peers.some((p) => p.address === a(9)), 'the stranger is no peer');
  t.not((await stranger.sessions()).values().next().value, 'Established', 'the stranger never gets a session');

  // IPAM moves n3's block to n4 (block affinity and host affinities rewritten), no session touched.
  const fingerprint = (rows: { node: string; since: string }[]): string[] => rows.map((p) => `${p.node}@${p.since}`).sort();
  const before = fingerprint(await c.peers());
  await c.etcd.del(affinityKey('n3', '172.16.3.0/24'));
  await c.etcd.put(blockKey('172.16.3.0/24'), blockValue('172.16.3.0/24', 'n4'));
  await c.etcd.put(affinityKey('n4', '172.16.3.0/24'), AFFINITY_CONFIRMED);
  // n4 still announces 172.16.3.7/32 (now inside its own block: accepted) but not the /24; n3 still announces it (now rejected).
  const moved = await waitFor(async () => {
    const rows = await c.json<RouteRow[]>(['routes', '--rejected']);
    return rows.find((r) => r.prefix === '172.16.3.0/24') ?? undefined;
  }, { what: '172.16.3.0/24 from n3 rejected after the move', timeoutMs: 60_000, intervalMs: 300 });
  t.same(moved.paths.map((p) => [p.node, p.rejected?.kind, p.rejected?.reason]), [['n3', 'policy', 'block 172.16.3.0/24 is owned by n4']], 'the moved block: n3 is no longer its owner');
  await c.waitRoutes('n2', ['172.16.4.0/24', '172.16.2.9/32', '172.16.3.7/32']);
  t.pass('n2: n3\'s old block is gone, n4\'s host route inside its new block is accepted');
  t.same(fingerprint(await c.peers()), before, 'no session was reset by the policy change');
});
