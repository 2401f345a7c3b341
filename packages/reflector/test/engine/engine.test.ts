import t from 'tap';
import { familyKey, formatPrefix, parseIpv4 } from '@bgp-rr/bgp-speaker';
import type { ImportPolicy } from '../../src/engine/import-policy.js';
import {
  CLUSTER_ID,
  IPV4_UNICAST,
  IPV6_UNICAST,
  LOCAL_AS,
  ROUTER_ID,
  Receiver,
  acceptAll,
  announce,
  engine,
  fmt,
  negotiated,
  ownerPolicy,
  withdraw,
  type Driver,
  type LogLine,
} from './fixtures.js';

const V4 = familyKey(1, 1);
const V6 = familyKey(2, 1);

function up(e: Driver, address: string, node: string, o: Parameters<typeof negotiated>[1] & { client?: boolean } = {}): Receiver {
  if (!e.engine.hasPeer(address)) e.configurePeer(address, node, o.client ?? true, LOCAL_AS);
  const n = negotiated(address.includes(':') ? '10.9.9.' + node.slice(1) : address, o);
  e.sessionUp(address, n);
  return new Receiver(address, n);
}

t.test('RFC 4456 §8: a client route is reflected with ORIGINATOR_ID and CLUSTER_LIST, NEXT_HOP and LOCAL_PREF untouched', async (t) => {
  const { e } = engine();
  const n1 = up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24'], { attrs: { localPref: 2147482623, communities: [0xfde80001] } }));
  n2.drain(e);
  n1.drain(e);
  const a = n2.get('172.16.1.0/24');
  t.ok(a, 'n2 holds n1 block');
  t.equal(fmt(a!.originatorId!), '10.0.0.1', 'ORIGINATOR_ID = the client router id');
  t.same(a!.clusterList!.map(fmt), [CLUSTER_ID], 'CLUSTER_LIST = our cluster id');
  t.equal(fmt(a!.nextHop!), '10.0.0.1', 'NEXT_HOP untouched');
  t.equal(a!.localPref, 2147482623, 'LOCAL_PREF untouched');
  t.same(a!.communities, [0xfde80001], 'communities untouched');
  t.same(n1.prefixes(), [], 'nothing sent back to the peer it came from');
  t.ok(n1.endOfRib.has(V4) && n2.endOfRib.has(V4), 'End-of-RIB after the initial table (RFC 4724 §2)');
  const c = e.engine.peerCounts('10.0.0.1', V4);
  t.same([c.received, c.accepted, c.rejected], [1, 1, 0], 'per-peer counters');
  t.equal(e.engine.peerCounts('10.0.0.2', V4).advertised, 1, 'advertised to n2');
});

t.test('RFC 4456 §6: a non-client route goes to clients only', async (t) => {
  const { e } = engine();
  const rr2 = up(e, '10.0.0.9', 'rr2', { client: false });
  const nc = up(e, '10.0.0.8', 'rr3', { client: false });
  const n1 = up(e, '10.0.0.1', 'n1');
  e.update('10.0.0.9', announce('10.0.0.5', ['172.16.5.0/24']));
  n1.drain(e);
  nc.drain(e);
  rr2.drain(e);
  t.same(n1.prefixes(), ['172.16.5.0/24'], 'client gets it');
  t.same(nc.prefixes(), [], 'other non-client does not');
});

const loops: [string, object, string][] = [
  ['ORIGINATOR_ID is our router id', { originatorId: parseIpv4(ROUTER_ID) }, 'ORIGINATOR_ID'],
  ['our CLUSTER_ID in CLUSTER_LIST', { originatorId: parseIpv4('10.0.0.3'), clusterList: [parseIpv4('1.1.1.1'), parseIpv4(CLUSTER_ID)] }, 'CLUSTER_ID'],
];
for (const [name, attrs, why] of loops) {
  t.test(`RFC 4456 §8 loop: ${name} → ignored (kept as rejected)`, async (t) => {
    const { e, logs } = engine();
    up(e, '10.0.0.1', 'n1', { client: false });
    const n2 = up(e, '10.0.0.2', 'n2');
    e.update('10.0.0.1', announce('10.0.0.3', ['172.16.3.0/24'], { attrs }));
    n2.drain(e);
    t.same(n2.prefixes(), [], 'not reflected');
    const entry = [...e.engine.routes(V4)].find((r) => formatPrefix(r.prefix) === '172.16.3.0/24');
    t.match(entry?.paths[0]?.rejected, { kind: 'loop', text: why }, 'kind and reason kept');
    t.equal(logs.filter((l: LogLine) => l.msg === 'route rejected').length, 1, 'logged once');
  });
}

t.test('import policy: a block moving to another node moves its route, no session reset', async (t) => {
  const owners: Record<string, string> = { '172.16.7.0/24': 'n1' };
  const { e, logs } = engine({ policy: ownerPolicy(owners) });
  up(e, '10.0.0.1', 'n1');
  up(e, '10.0.0.2', 'n2');
  const n3 = up(e, '10.0.0.3', 'n3');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.7.0/24']));
  e.update('10.0.0.2', announce('10.0.0.2', ['172.16.7.0/24', '10.99.0.0/16']));
  n3.drain(e);
  t.equal(fmt(n3.get('172.16.7.0/24')!.nextHop!), '10.0.0.1', 'owner n1 route reflected');
  t.notOk(n3.get('10.99.0.0/16'), 'outside the pools: rejected');
  t.equal(e.engine.peerCounts('10.0.0.2', V4).rejected, 2);
  owners['172.16.7.0/24'] = 'n2';
  e.setPolicy(ownerPolicy(owners));
  n3.drain(e);
  t.equal(fmt(n3.get('172.16.7.0/24')!.nextHop!), '10.0.0.2', 'now the route of n2');
  t.equal(e.engine.peerCounts('10.0.0.1', V4).rejected, 1, 'n1 path now rejected');
  t.equal(e.engine.peerCounts('10.0.0.2', V4).accepted, 1, 'n2 path now accepted');
  t.ok(e.engine.peerView('10.0.0.1')!.established, 'sessions untouched');
  t.equal(logs.filter((l) => l.msg === 'route rejected').length, 3, 'each rejection logged once, per change of verdict');
  e.update('10.0.0.2', announce('10.0.0.2', ['10.99.0.0/16']));
  t.equal(logs.filter((l) => l.msg === 'route rejected').length, 3, 'the same rejection again is not logged again');
});

t.test('RFC 7606 treat-as-withdraw withdraws every NLRI of the UPDATE', async (t) => {
  const { e, logs } = engine();
  up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24', '172.16.2.0/24']));
  n2.drain(e);
  t.equal(n2.prefixes().length, 2);
  const bad = announce('10.0.0.1', ['172.16.1.0/24']);
  e.update('10.0.0.1', { ...bad, action: 'treat-as-withdraw', errors: [new Error('malformed ORIGIN') as never] });
  n2.drain(e);
  t.same(n2.prefixes(), ['172.16.2.0/24'], 'the malformed UPDATE NLRI withdrawn, the rest kept');
  t.equal(logs.filter((l) => /RFC 7606/.test(l.msg)).length, 1, 'logged once for the UPDATE');
});

t.test('RFC 7606 treat-as-withdraw: an NLRI never held creates nothing, nor counts toward the prefix limit; the feed says each was rejected', async (t) => {
  const { e, engine: core, commands, events, logs } = engine({ maxPrefixes: 1 });
  up(e, '10.0.0.1', 'n1');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  const bad = announce('10.0.0.1', ['172.16.2.0/24', '172.16.3.0/24']);
  e.update('10.0.0.1', { ...bad, action: 'treat-as-withdraw', errors: [new Error('NEXT_HOP missing') as never] });
  t.same(commands, [], 'no Cease: a malformed UPDATE is not a reason to reset the session (that is what RFC 7606 avoids)');
  t.same(core.peerCounts('10.0.0.1', V4), { received: 1, accepted: 1, rejected: 0, stale: 0, advertised: 0 }, 'nothing stored for the NLRI never held');
  t.equal(core.tableSizes().prefixes, 1, 'nor in the Loc-RIB');
  const rejected = events.filter((ev) => ev.type === 'pathRejected');
  t.same(rejected.map((ev) => (ev.type === 'pathRejected' ? [ev.rejection.kind, ev.stored] : [])), [['treat-as-withdraw', false], ['treat-as-withdraw', false]], 'each NLRI in the feed, kind treat-as-withdraw, not stored');
  t.equal(logs.filter((l) => l.msg === 'route rejected').length, 0, 'no line per NLRI (one per UPDATE)');
  e.setPolicy(ownerPolicy({}));
  t.equal(core.tableSizes().prefixes, 1, 'a policy change brings nothing back');
});

t.test('change feed: a subscriber may read, not act — input() from it is refused and the engine is intact', async (t) => {
  const { e, engine: core } = engine();
  const errors: unknown[] = [];
  up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  core.subscribe((ev) => {
    if (ev.type === 'pathAccepted') {
      try {
        core.input({ type: 'peerRemoved', peer: ev.peer });
      } catch (err) {
        errors.push(err);
      }
    }
  });
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  t.match(String(errors[0]), /from a change-feed subscriber/, 'refused with why');
  t.ok(core.hasPeer('10.0.0.1'), 'the peer is still there');
  n2.drain(e);
  t.same(n2.prefixes(), ['172.16.1.0/24'], 'and its route reflected');
});

t.test('RFC 7911 ADD-PATH: path ids received from BIRD, every path sent to ADD-PATH peers, best only to others', async (t) => {
  const { e } = engine();
  up(e, '10.0.0.1', 'n1', { addPath: true });
  up(e, '10.0.0.2', 'n2', { addPath: true });
  const ap = up(e, '10.0.0.3', 'n3', { addPath: true });
  const plain = up(e, '10.0.0.4', 'n4');
  e.update('10.0.0.1', announce('10.0.0.1', ['10.96.0.0/12'], { pathId: 1 }));
  e.update('10.0.0.1', announce('10.0.0.11', ['10.96.0.0/12'], { pathId: 2 }));
  e.update('10.0.0.2', announce('10.0.0.2', ['10.96.0.0/12'], { pathId: 1 }));
  t.equal(e.engine.peerCounts('10.0.0.1', V4).received, 2, 'two path ids from one peer kept apart');
  ap.drain(e);
  plain.drain(e);
  t.equal(ap.routes.size, 3, 'ADD-PATH peer holds every path (ECMP)');
  t.equal(plain.routes.size, 1, 'the other holds the best only');
  e.update('10.0.0.1', withdraw(['10.96.0.0/12'], 2));
  ap.drain(e);
  t.equal(ap.routes.size, 2, 'withdrawal of one path id');
});

t.test('IPv6 unicast over MP_REACH_NLRI, next hop untouched; dual-family session', async (t) => {
  const { e } = engine();
  up(e, 'fd00::1', 'n1', { families: [IPV6_UNICAST] });
  const n2 = up(e, 'fd00::2', 'n2', { families: [IPV6_UNICAST] });
  const dual = up(e, '10.0.0.3', 'n3', { families: [IPV4_UNICAST, IPV6_UNICAST] });
  e.update('fd00::1', announce('fd00::1', ['fd10:0:0:1::/64']));
  n2.drain(e);
  dual.drain(e);
  const a = n2.get('fd10:0:0:1::/64');
  t.ok(a?.mpReach, 'reflected over MP_REACH_NLRI');
  t.same([...a!.mpReach!.nextHop.subarray(0, 16)], [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 'next hop untouched');
  t.ok(dual.get('fd10:0:0:1::/64'), 'dual-family session gets it too');
  t.ok(dual.endOfRib.has(V4) && dual.endOfRib.has(V6), 'End-of-RIB per family');
});

t.test('a peer removed from etcd: its routes withdrawn everywhere', async (t) => {
  const { e } = engine();
  up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  n2.drain(e);
  e.unconfigurePeer('10.0.0.1');
  n2.drain(e);
  t.equal(n2.routes.size, 0);
  t.notOk(e.engine.hasPeer('10.0.0.1'));
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  t.equal(e.engine.tableSizes().prefixes, 0, 'events from an unconfigured peer are ignored');
});

t.test('every insertion order of three announcements gives the same best path', async (t) => {
  const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  for (const order of orders) {
    const { e } = engine({ policy: acceptAll });
    for (const i of [1, 2, 3]) up(e, `10.0.0.${i}`, `n${i}`);
    const r = up(e, '10.0.0.4', 'n4');
    for (const i of order) e.update(`10.0.0.${i + 1}`, announce(`10.0.0.${i + 1}`, ['10.96.0.0/12']));
    r.drain(e);
    t.equal(fmt(r.get('10.96.0.0/12')!.nextHop!), '10.0.0.1', `order ${order.join('')}: lowest ORIGINATOR_ID wins (RFC 4456 §9)`);
  }
});

t.test('--route-policy warn: accepted, the would-be rejection logged once per path', async (t) => {
  const warn: ImportPolicy = { mode: 'warn', issues: [], evaluate: () => ({ accepted: true as const, warning: 'outside every IP pool' }) };
  const { e, logs } = engine({ policy: warn });
  up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', ['10.99.0.0/16']));
  e.update('10.0.0.1', announce('10.0.0.1', ['10.99.0.0/16'], { attrs: { localPref: 200 } }));
  n2.drain(e);
  t.same(n2.prefixes(), ['10.99.0.0/16'], 'accepted and reflected');
  t.equal(logs.filter((l) => /would be rejected/.test(l.msg)).length, 1, 'warned once');
  e.update('10.0.0.1', withdraw(['10.99.0.0/16']));
  e.update('10.0.0.1', announce('10.0.0.1', ['10.99.0.0/16']));
  t.equal(logs.filter((l) => /would be rejected/.test(l.msg)).length, 2, 'warned again after a withdrawal and a new announcement');
});

t.test('RFC 4456 §8: a looped route is ignored, and still replaces the path it updates (RFC 4271 §9 implicit withdraw)', async (t) => {
  const { e, engine: core } = engine();
  up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  n2.drain(e);
  t.same(n2.prefixes(), ['172.16.1.0/24']);
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24'], { attrs: { clusterList: [parseIpv4(CLUSTER_ID)] } }));
  n2.drain(e);
  t.same(n2.prefixes(), [], 'withdrawn from the others');
  t.same(core.peerCounts('10.0.0.1', V4), { received: 1, accepted: 0, rejected: 1, stale: 0, advertised: 0 }, 'one path held, rejected');
});

t.test('change feed: every path in and out with what it replaces and why it went, every best-path change, in order', async (t) => {
  const { e, events } = engine();
  up(e, '10.0.0.1', 'n1');
  up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', ['10.96.0.0/12']));
  e.update('10.0.0.2', announce('10.0.0.2', ['10.96.0.0/12']));
  e.update('10.0.0.2', announce('10.0.0.2', ['10.96.0.0/12'], { attrs: { localPref: 200 } }));
  e.update('10.0.0.2', withdraw(['10.96.0.0/12']));
  e.update('10.0.0.1', withdraw(['10.96.0.0/12']));
  const best = events.flatMap((ev) => (ev.type === 'bestChanged' ? [`${ev.oldBest?.peer.id ?? '-'}>${ev.newBest?.peer.id ?? '-'}`] : []));
  t.same(best, ['->10.0.0.1', '10.0.0.1>10.0.0.2', '10.0.0.2>10.0.0.1', '10.0.0.1>-'], 'a path that loses the tie-break (higher router id) changes no best path');
  const paths = events.flatMap((ev) => (ev.type === 'pathAccepted' ? [`+${ev.peer}${ev.replaced ? ' (replaces)' : ''}`] : ev.type === 'pathWithdrawn' ? [`-${ev.peer} ${ev.cause}`] : []));
  t.same(paths, ['+10.0.0.1', '+10.0.0.2', '+10.0.0.2 (replaces)', '-10.0.0.2 withdrawn', '-10.0.0.1 withdrawn']);
  t.same(events.filter((ev) => ev.type === 'peerUp').map((ev) => (ev.type === 'peerUp' ? ev.peer : '')), ['10.0.0.1', '10.0.0.2'], 'peer up for each session');
  e.sessionDown('10.0.0.1', true);
  t.match(events.at(-1), { type: 'peerDown', peer: '10.0.0.1', retained: [], stale: 0 }, 'peer down, with what graceful restart kept');
});
