/**
 * Route refresh (engine/route-refresh.ts): RFC 2918 — only the family asked for, no
 * End-of-RIB; RFC 7313 — BoRR before and EoRR after the re-sent table, and as a
 * receiver, BoRR/EoRR mark and then sweep the peer's stale paths. Through the route
 * engine's vocabulary, checked on the wire. (Unknown subtypes and families not
 * negotiated never reach the engine: the speaker's session ignores them, tested there.)
 */
import t from 'tap';
import { familyKey, type RouteRefreshSubtypeName } from '@bgp-rr/bgp-speaker';
import { refreshAction, type RefreshContext } from '../../src/engine/route-refresh.js';
import { decodeMessage, MessageType } from '@bgp-rr/bgp-speaker';
import { announce, engine, IPV4_UNICAST, IPV6_UNICAST, LOCAL_AS, negotiated, Receiver, splitMessages, type Driver } from './fixtures.js';

const V4 = familyKey(1, 1);
const V6 = familyKey(2, 1);

function up(e: Driver, address: string, node: string, o: Parameters<typeof negotiated>[1] = {}): Receiver {
  if (!e.engine.hasPeer(address)) e.configurePeer(address, node, true, LOCAL_AS);
  const n = negotiated(address, o);
  e.sessionUp(address, n);
  return new Receiver(address, n);
}

/** n1 announces one IPv4 and one IPv6 prefix; n2 (dual-family) has pulled everything. */
function world(o: { enhanced?: boolean } = {}) {
  const w = engine();
  const both = [IPV4_UNICAST, IPV6_UNICAST];
  up(w.e, '10.0.0.1', 'n1', { families: both });
  const n2 = up(w.e, '10.0.0.2', 'n2', { families: both, enhanced: o.enhanced ?? false });
  w.e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  w.e.update('10.0.0.1', announce('fd00::1', ['fd00:1::/64']));
  n2.drain(w.e);
  return { ...w, n2 };
}

t.test('RFC 2918: a request re-sends that family only, with no End-of-RIB', async (t) => {
  const { e, n2, events } = world();
  t.same(n2.prefixes(), ['172.16.1.0/24', 'fd00:1::/64']);
  t.equal(n2.endOfRib.size, 2, 'the initial tables ended with End-of-RIB');
  const fresh = new Receiver('10.0.0.2', n2.n);
  e.routeRefresh('10.0.0.2', IPV4_UNICAST, 'request');
  fresh.drain(e);
  t.same(fresh.prefixes(), ['172.16.1.0/24'], 'the IPv4 table again, nothing of IPv6');
  t.equal(fresh.endOfRib.size, 0, 'no End-of-RIB: that belongs to the start of a session');
  t.same(fresh.refreshes, [], 'no BoRR/EoRR without enhanced route refresh');
  t.match(events.findLast((ev) => ev.type === 'routeRefresh'), { subtype: 'request', family: V4, enhanced: false, ignored: undefined });
});

t.test('RFC 7313 §4: with enhanced route refresh, the table comes between a BoRR and an EoRR', async (t) => {
  const { e, n2 } = world({ enhanced: true });
  const fresh = new Receiver('10.0.0.2', n2.n);
  e.routeRefresh('10.0.0.2', IPV6_UNICAST, 'request');
  fresh.drain(e);
  t.same(fresh.refreshes, [`borr:${V6}`, `eorr:${V6}`], 'BoRR, then EoRR, for the family asked');
  t.same(fresh.prefixes(), ['fd00:1::/64'], 'the IPv6 table in between');
  t.equal(fresh.endOfRib.size, 0, 'and no End-of-RIB');
  e.engine.input({ type: 'peerRemoved', peer: '10.0.0.1' });
  fresh.drain(e); // the withdrawals of n1's routes
  const empty = new Receiver('10.0.0.2', n2.n);
  e.routeRefresh('10.0.0.2', IPV4_UNICAST, 'request');
  empty.drain(e);
  t.same(empty.refreshes, [`borr:${V4}`, `eorr:${V4}`], 'an empty table still gets BoRR then EoRR: the peer sweeps what it holds from us');
  t.same(empty.prefixes(), [], 'and nothing between them');
});

t.test('RFC 7313 §4: no BoRR before our End-of-RIB — nothing sent yet: the initial table is the refresh; part sent: answered after the End-of-RIB', async (t) => {
  const { e, events } = engine({ deferralMs: 30_000 });
  const n1 = up(e, '10.0.0.1', 'n1', { enhanced: true });
  e.routeRefresh('10.0.0.1', IPV4_UNICAST, 'request');
  t.match(events.findLast((ev) => ev.type === 'routeRefresh'), { ignored: /nothing of the initial table/ }, 'ignored while the selection deferral holds our table back');
  e.endOfRib('10.0.0.1', IPV4_UNICAST);
  n1.drain(e);
  t.same(n1.refreshes, [], 'no BoRR');
  t.ok(n1.endOfRib.has(V4), 'the initial table and its End-of-RIB');

  const w = engine();
  up(w.e, '10.0.0.1', 'n1');
  for (let i = 0; i < 3000; i++) w.e.update('10.0.0.1', announce('10.0.0.1', [`172.18.${i >> 8}.${i & 255}/32`], { attrs: { med: i } })); // one UPDATE each: a long initial table
  const n2 = up(w.e, '10.0.0.2', 'n2', { enhanced: true });
  const first = w.e.pull('10.0.0.2', 1); // a first chunk of the initial table
  t.ok(first.length > 0);
  w.e.routeRefresh('10.0.0.2', IPV4_UNICAST, 'request');
  t.match(w.events.findLast((ev) => ev.type === 'routeRefresh'), { subtype: 'request', ignored: undefined }, 'part of the table went out: the request is kept');
  const seen: string[] = [];
  const ctx = { ...n2.n.codec, addPathReceive: n2.n.codec.addPathSend, addPathSend: new Set<number>() };
  for (;;) {
    const frames = w.e.pull('10.0.0.2', 64 * 1024);
    if (frames.length === 0) break;
    for (const f of splitMessages(frames)) {
      const m = decodeMessage(f, ctx);
      if (m.message.type === MessageType.ROUTE_REFRESH) seen.push(m.message.subtype === 1 ? 'BoRR' : 'EoRR');
      else if (m.update?.endOfRib) seen.push('End-of-RIB');
    }
  }
  t.same(seen, ['End-of-RIB', 'BoRR', 'EoRR'], 'End-of-RIB first, then BoRR, the table, EoRR');
});

t.test('RFC 7313 §4 as receiver: BoRR marks the peer\'s paths stale, EoRR sweeps what was not re-sent', async (t) => {
  const { e, engine: core } = engine();
  up(e, '10.0.0.1', 'n1', { enhanced: true });
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24', '172.16.9.0/24']));
  e.endOfRib('10.0.0.1', IPV4_UNICAST);
  n2.drain(e);
  e.routeRefresh('10.0.0.1', IPV4_UNICAST, 'borr');
  t.equal(core.peerCounts('10.0.0.1', V4).stale, 2, 'both stale');
  t.same(core.peerView('10.0.0.1')!.refreshing, [V4], 'the re-advertisement is under way');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  t.equal(core.peerCounts('10.0.0.1', V4).stale, 1, 'the re-sent path is fresh again');
  n2.drain(e);
  t.same(n2.prefixes(), ['172.16.1.0/24', '172.16.9.0/24'], 'nothing withdrawn before the EoRR');
  e.routeRefresh('10.0.0.1', IPV4_UNICAST, 'eorr');
  n2.drain(e);
  t.same(n2.prefixes(), ['172.16.1.0/24'], 'the path not re-sent is withdrawn at the EoRR');
  t.equal(core.peerCounts('10.0.0.1', V4).stale, 0);
  t.same(core.peerView('10.0.0.1')!.refreshing, []);
});

t.test('RFC 7313 §4 as receiver: BoRR before the peer\'s End-of-RIB ignored (graceful restart), EoRR without BoRR ignored, no EoRR swept after the local bound', async (t) => {
  const { e, engine: core, clock, events } = engine();
  up(e, '10.0.0.1', 'n1', { enhanced: true });
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  e.routeRefresh('10.0.0.1', IPV4_UNICAST, 'borr');
  t.match(events.findLast((ev) => ev.type === 'routeRefresh'), { ignored: /before the peer's End-of-RIB/ });
  t.equal(core.peerCounts('10.0.0.1', V4).stale, 0);
  e.endOfRib('10.0.0.1', IPV4_UNICAST);
  e.routeRefresh('10.0.0.1', IPV4_UNICAST, 'eorr');
  t.match(events.findLast((ev) => ev.type === 'routeRefresh'), { ignored: /without a BoRR/ });
  e.routeRefresh('10.0.0.1', IPV4_UNICAST, 'borr');
  t.equal(core.peerCounts('10.0.0.1', V4).stale, 1);
  clock.advance(299_999);
  t.equal(core.peerCounts('10.0.0.1', V4).received, 1, 'kept while the EoRR may still come');
  clock.advance(1);
  t.equal(core.peerCounts('10.0.0.1', V4).received, 0, 'swept after 300 s without it');
  const plain = engine();
  up(plain.e, '10.0.0.1', 'n1', { enhanced: false, gr: null });
  plain.e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  plain.e.routeRefresh('10.0.0.1', IPV4_UNICAST, 'borr');
  t.equal(plain.engine.peerCounts('10.0.0.1', V4).stale, 0, 'BoRR from a peer that did not negotiate enhanced route refresh: ignored');
});

t.test('a session going down closes an open BoRR', async (t) => {
  const { e, engine: core, clock } = engine();
  up(e, '10.0.0.1', 'n1', { enhanced: true, gr: null });
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  e.routeRefresh('10.0.0.1', IPV4_UNICAST, 'borr');
  t.same(core.peerView('10.0.0.1')!.refreshing, [V4]);
  clock.advance(200_000);
  e.sessionDown('10.0.0.1', false);
  up(e, '10.0.0.1', 'n1', { enhanced: true, gr: null });
  t.same(core.peerView('10.0.0.1')!.refreshing, [], 'the new session has no refresh open');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  e.routeRefresh('10.0.0.1', IPV4_UNICAST, 'borr');
  clock.advance(100_000); // 300 s after the first BoRR, 100 s after the second
  t.equal(core.peerCounts('10.0.0.1', V4).received, 1, 'the old refresh\'s timer does not sweep the new one');
  clock.advance(200_000);
  t.equal(core.peerCounts('10.0.0.1', V4).received, 0, 'the new one\'s own bound does');
});

t.test('refreshAction: the decision table', async (t) => {
  const ok: RefreshContext = { enhanced: true, tableSent: 'complete', peerGracefulRestart: true, endOfRibReceived: true };
  const cases: [string, RouteRefreshSubtypeName, Partial<RefreshContext>, boolean, string][] = [
    ['request, enhanced', 'request', {}, false, 'resend'],
    ['request before any of our table was sent', 'request', { tableSent: 'none' }, false, 'ignore'],
    ['request while our table is going out (answered after its End-of-RIB)', 'request', { tableSent: 'partial' }, false, 'resend'],
    ['BoRR', 'borr', {}, false, 'mark-stale'],
    ["BoRR before the peer's End-of-RIB, peer with GR", 'borr', { endOfRibReceived: false }, false, 'ignore'],
    ['BoRR before End-of-RIB, peer without GR', 'borr', { endOfRibReceived: false, peerGracefulRestart: false }, false, 'mark-stale'],
    ['BoRR without enhanced route refresh', 'borr', { enhanced: false }, false, 'ignore'],
    ['EoRR after a BoRR', 'eorr', {}, true, 'sweep-stale'],
    ['EoRR without a BoRR', 'eorr', {}, false, 'ignore'],
    ['EoRR without enhanced route refresh', 'eorr', { enhanced: false }, true, 'ignore'],
  ];
  for (const [name, subtype, ctx, open, want] of cases) t.equal(refreshAction(subtype, { ...ok, ...ctx }, open).action, want, name);
  t.same(refreshAction('request', { ...ok, enhanced: false }, false), { action: 'resend', enhanced: false }, 'a plain RFC 2918 peer: no BoRR/EoRR');
});
