/** The route engine end to end through its vocabulary: RFC 4724 helper behaviour, RFC 4456 §8 loops, import policy, the change feed. */
import t from 'tap';
import { IPV4_UNICAST, IPV6_UNICAST, parsePrefix, type Nlri } from '@bgp-rr/bgp-speaker';
import { Core, Holder, ID, V4, node, nodeAttrs, sendCtx } from './update-groups/fixtures.js';

const ALL = 1 << 30;
const nl = (...prefixes: string[]): Nlri[] => prefixes.map((p) => ({ prefix: parsePrefix(p), pathId: 0 }));

function pair(rib = new Core()) {
  const ctx = sendCtx();
  rib.up(node('10.0.0.1'), [IPV4_UNICAST], ctx);
  rib.up(node('10.0.0.2'), [IPV4_UNICAST], ctx);
  return { rib, ctx };
}

t.test('RFC 4724 §4.2: a restarting peer\'s routes stay until its End-of-RIB, then the unrefreshed go', async (t) => {
  const { rib, ctx } = pair();
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24', '172.16.9.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.pull('10.0.0.2', ALL));
  t.equal(h.routes.size, 2);
  rib.down('10.0.0.1', true);
  t.same(rib.pull('10.0.0.2', ALL), [], 'nothing withdrawn while the peer restarts');
  t.equal(rib.counts('10.0.0.1', V4).stale, 2);
  rib.up(node('10.0.0.1'), [IPV4_UNICAST], ctx);
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  t.same(rib.pull('10.0.0.2', ALL), [], 'a refresh with the same attributes changes nothing on the wire');
  rib.endOfRib('10.0.0.1', IPV4_UNICAST);
  h.apply(rib.pull('10.0.0.2', ALL));
  t.same(h.summary(), ['172.16.1.0/24 via 10.0.0.1'], 'the route not re-announced is withdrawn at End-of-RIB');
});

t.test('RFC 4724 §4.2: the restart timer expiring removes every stale route', async (t) => {
  const { rib, ctx } = pair();
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.pull('10.0.0.2', ALL));
  rib.down('10.0.0.1', true);
  rib.clock.advance(120_000); // the Restart Time in its capability
  h.apply(rib.pull('10.0.0.2', ALL));
  t.same(h.summary(), []);
});

t.test('session down without graceful restart withdraws at once', async (t) => {
  const { rib, ctx } = pair();
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.pull('10.0.0.2', ALL));
  rib.down('10.0.0.1', false);
  h.apply(rib.pull('10.0.0.2', ALL));
  t.same(h.summary(), []);
  t.same(rib.counts('10.0.0.1', V4), { received: 0, accepted: 0, rejected: 0, stale: 0 }, 'nothing kept');
});

t.test('RFC 4456 §8: a looped route is ignored, and still replaces the path it updates', async (t) => {
  const { rib, ctx } = pair();
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.pull('10.0.0.2', ALL));
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1', { clusterList: [ID.clusterId] }));
  h.apply(rib.pull('10.0.0.2', ALL));
  t.same(h.summary(), [], 'withdrawn from the others');
  t.same(rib.counts('10.0.0.1', V4), { received: 1, accepted: 0, rejected: 1, stale: 0 });
  t.match(rib.entry(V4, '172.16.1.0/24')!.paths[0]!.rejected, { kind: 'loop', text: /CLUSTER_ID/ });
});

t.test('import policy: a rejected route is kept with its reason, never advertised', async (t) => {
  const rib = new Core({ policy: (prefix) => (prefix.len < 16 ? 'shorter than /16' : null) });
  const { ctx } = pair(rib);
  rib.announce('10.0.0.1', V4, nl('10.0.0.0/8', '172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.pull('10.0.0.2', ALL));
  t.same(h.summary(), ['172.16.1.0/24 via 10.0.0.1']);
  t.same(rib.entry(V4, '10.0.0.0/8')?.paths[0]?.rejected, { kind: 'policy', text: 'shorter than /16' });
});

t.test('change feed: every best-path change of the Loc-RIB, in order', async (t) => {
  const rib = new Core();
  pair(rib);
  rib.announce('10.0.0.1', V4, nl('10.96.0.0/12'), nodeAttrs('10.0.0.1'));
  rib.announce('10.0.0.2', V4, nl('10.96.0.0/12'), nodeAttrs('10.0.0.2'));
  rib.announce('10.0.0.2', V4, nl('10.96.0.0/12'), nodeAttrs('10.0.0.2', { localPref: 200 }));
  rib.withdraw('10.0.0.2', V4, nl('10.96.0.0/12'));
  rib.withdraw('10.0.0.1', V4, nl('10.96.0.0/12'));
  const seen = rib.events.flatMap((e) => (e.type === 'bestChanged' ? [`${e.oldBest?.peer.id ?? '-'}>${e.newBest?.peer.id ?? '-'}`] : []));
  t.same(seen, ['->10.0.0.1', '10.0.0.1>10.0.0.2', '10.0.0.2>10.0.0.1', '10.0.0.1>-'], 'a path that loses the tie-break (lower router id wins) changes no best path');
  const paths = rib.events.flatMap((e) => (e.type === 'pathAccepted' ? [`+${e.peer}${e.replaced ? ' (replaces)' : ''}`] : e.type === 'pathWithdrawn' ? [`-${e.peer} ${e.cause}`] : []));
  t.same(paths, ['+10.0.0.1', '+10.0.0.2', '+10.0.0.2 (replaces)', '-10.0.0.2 withdrawn', '-10.0.0.1 withdrawn'], 'every path in and out, with what it replaces and why it went');
});

t.test('RFC 4724 §4.2: only the families in the peer\'s Graceful Restart capability are kept', async (t) => {
  const rib = new Core();
  const ctx = sendCtx();
  rib.up(node('10.0.0.1'), [IPV4_UNICAST, IPV6_UNICAST], ctx, { gr: [IPV4_UNICAST] });
  rib.up(node('10.0.0.2'), [IPV4_UNICAST, IPV6_UNICAST], ctx);
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  rib.announce('10.0.0.1', 0x201, nl('fd00:1::/64'), { origin: 0, asPath: [], localPref: 100, mpReach: { afi: 2, safi: 1, nextHop: new Uint8Array(16).fill(1), nlri: [] } });
  const h = new Holder(ctx).apply(rib.pull('10.0.0.2', ALL));
  t.equal(h.routes.size, 2);
  rib.down('10.0.0.1', true);
  h.apply(rib.pull('10.0.0.2', ALL));
  t.same([...h.routes.keys()], ['172.16.1.0/24#0'], 'IPv4 kept (stale), IPv6 withdrawn');
  t.equal(rib.counts('10.0.0.1', V4).stale, 1);
  rib.clock.advance(120_000);
  h.apply(rib.pull('10.0.0.2', ALL));
  t.equal(h.routes.size, 0, 'the restart time is over: swept');
});

t.test('import policy re-applied: a path becomes accepted or rejected without a new UPDATE', async (t) => {
  const rib = new Core({ policy: () => 'block not affine to this node' });
  const { ctx } = pair(rib);
  rib.announce('10.0.0.1', V4, nl('172.16.1.0/24'), nodeAttrs('10.0.0.1'));
  const h = new Holder(ctx).apply(rib.pull('10.0.0.2', ALL));
  t.equal(h.routes.size, 0);
  t.equal(rib.setPolicy(() => null), 1);
  h.apply(rib.pull('10.0.0.2', ALL));
  t.same(h.summary(), ['172.16.1.0/24 via 10.0.0.1']);
  t.equal(rib.setPolicy(() => null), 0, 'nothing changed: nothing done');
});
