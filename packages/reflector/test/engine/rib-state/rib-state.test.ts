/** The routing core glue: RFC 4724 helper behaviour, RFC 4456 §8 loops and import policy, end to end. */
import t from 'tap';
import { IPV4_UNICAST, IPV6_UNICAST, parsePrefix, type Nlri } from '@bgp-rr/bgp-speaker';
import { RibState } from '../../../src/engine/rib-state/rib-state.js';
import { Holder, ID, V4, node, nodeAttrs, sendCtx } from '../update-groups/fixtures.js';

const ALL = 1 << 30;
const nl = (...prefixes: string[]): Nlri[] => prefixes.map((p) => ({ prefix: parsePrefix(p), pathId: 0 }));

function pair(rib = new RibState({ identity: ID })) {
  const ctx = sendCtx();
  rib.peerUp(node('10.0.0.1'), [IPV4_UNICAST], ctx);
  rib.peerUp(node('10.0.0.2'), [IPV4_UNICAST], ctx);
  return { rib, ctx };
}

t.test('RFC 4724 §4.2: a restarting peer\'s routes stay until its End-of-RIB, then the unrefreshed go', async (t) => {
  const { rib, ctx } = pair();
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24', '172.16.9.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.groups.pull('10.0.0.2', ALL));
  t.equal(h.routes.size, 2);
  rib.peerDown('10.0.0.1', true);
  t.same(rib.groups.pull('10.0.0.2', ALL), [], 'nothing withdrawn while the peer restarts');
  t.equal(rib.adjRibIn('10.0.0.1')!.counts(V4).stale, 2);
  rib.peerUp(node('10.0.0.1'), [IPV4_UNICAST], ctx);
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  t.same(rib.groups.pull('10.0.0.2', ALL), [], 'a refresh with the same attributes changes nothing on the wire');
  rib.endOfRib('10.0.0.1', IPV4_UNICAST);
  h.apply(rib.groups.pull('10.0.0.2', ALL));
  t.same(h.summary(), ['172.16.1.0/24 via 10.0.0.1'], 'the route not re-announced is withdrawn at End-of-RIB');
});

t.test('RFC 4724 §4.2: the restart timer expiring removes every stale route', async (t) => {
  const { rib, ctx } = pair();
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.groups.pull('10.0.0.2', ALL));
  rib.peerDown('10.0.0.1', true);
  rib.staleTimerExpired('10.0.0.1');
  h.apply(rib.groups.pull('10.0.0.2', ALL));
  t.same(h.summary(), []);
});

t.test('session down without graceful restart withdraws at once', async (t) => {
  const { rib, ctx } = pair();
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.groups.pull('10.0.0.2', ALL));
  rib.peerDown('10.0.0.1', false);
  h.apply(rib.groups.pull('10.0.0.2', ALL));
  t.same(h.summary(), []);
  t.equal(rib.adjRibIn('10.0.0.1'), undefined);
});

t.test('RFC 4456 §8: a looped route is ignored, and still replaces the path it updates', async (t) => {
  const { rib, ctx } = pair();
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.groups.pull('10.0.0.2', ALL));
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1', { clusterList: [ID.clusterId] }));
  h.apply(rib.groups.pull('10.0.0.2', ALL));
  t.same(h.summary(), [], 'withdrawn from the others');
  t.same(rib.adjRibIn('10.0.0.1')!.counts(V4), { received: 1, accepted: 0, rejected: 1, stale: 0 });
  t.match(rib.locRib.get(V4, parsePrefix('172.16.1.0/24'))!.paths[0]!.rejected, /CLUSTER_ID/);
});

t.test('import policy: a rejected route is kept with its reason, never advertised', async (t) => {
  const rib = new RibState({ identity: ID, importPolicy: (_peer, prefix) => (prefix.len < 16 ? 'shorter than /16' : null) });
  const { ctx } = pair(rib);
  rib.announce('10.0.0.1', V4, nl('10.0.0.0/8', '172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.groups.pull('10.0.0.2', ALL));
  t.same(h.summary(), ['172.16.1.0/24 via 10.0.0.1']);
  t.equal(rib.adjRibIn('10.0.0.1')!.get(V4, parsePrefix('10.0.0.0/8'))?.rejected, 'shorter than /16');
});

t.test('every Loc-RIB change is reported to onChange', async (t) => {
  const seen: string[] = [];
  const rib = new RibState({ identity: ID, onChange: (c) => seen.push(`${c.oldBest?.peer.id ?? '-'}>${c.newBest?.peer.id ?? '-'}`) });
  pair(rib);
  rib.announce('10.0.0.1', V4, nl('10.96.0.0/12'), nodeAttrs('10.0.0.1'));
  rib.announce('10.0.0.2', V4, nl('10.96.0.0/12'), nodeAttrs('10.0.0.2'));
  rib.withdraw('10.0.0.1', V4, nl('10.96.0.0/12'));
  t.same(seen, ['->10.0.0.1', '10.0.0.1>10.0.0.1', '10.0.0.1>10.0.0.2']);
});

t.test('RFC 4724 §4.2: only the families in the peer\'s Graceful Restart capability are kept', async (t) => {
  const rib = new RibState({ identity: ID });
  const ctx = sendCtx();
  const a = node('10.0.0.1');
  rib.peerUp(a, [IPV4_UNICAST, IPV6_UNICAST], ctx);
  rib.peerUp(node('10.0.0.2'), [IPV4_UNICAST, IPV6_UNICAST], ctx);
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  rib.announce('10.0.0.1', 0x201, nl('fd00:1::/64'), { origin: 0, asPath: [], localPref: 100, mpReach: { afi: 2, safi: 1, nextHop: new Uint8Array(16).fill(1), nlri: [] } });
  const h = new Holder(ctx).apply(rib.groups.pull('10.0.0.2', ALL));
  t.equal(h.routes.size, 2);
  rib.peerDown('10.0.0.1', [IPV4_UNICAST]);
  h.apply(rib.groups.pull('10.0.0.2', ALL));
  t.same([...h.routes.keys()], ['172.16.1.0/24#0'], 'IPv4 kept (stale), IPv6 withdrawn');
  t.equal(rib.adjRibIn('10.0.0.1')!.counts(V4).stale, 1);
  rib.staleTimerExpired('10.0.0.1', IPV4_UNICAST);
  h.apply(rib.groups.pull('10.0.0.2', ALL));
  t.equal(h.routes.size, 0);
});

t.test('import policy re-applied: a path becomes accepted or rejected without a new UPDATE', async (t) => {
  let allowed = false;
  const rib = new RibState({ identity: ID, importPolicy: () => (allowed ? null : 'block not affine to this node') });
  const { ctx } = pair(rib);
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.groups.pull('10.0.0.2', ALL));
  t.equal(h.routes.size, 0);
  allowed = true;
  t.equal(rib.reapplyImportPolicy(), 1);
  h.apply(rib.groups.pull('10.0.0.2', ALL));
  t.same(h.summary(), ['172.16.1.0/24 via 10.0.0.1']);
  t.equal(rib.reapplyImportPolicy(), 0, 'nothing changed: nothing done');
});
