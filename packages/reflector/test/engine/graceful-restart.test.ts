/**
 * Graceful restart (engine/graceful-restart.ts): the RFC 4724 §4.2 helper and the §4.1
 * selection deferral, alone and through the route engine's vocabulary.
 */
import t from 'tap';
import { ManualClock, familyKey, type PeerGracefulRestart } from '@bgp-rr/bgp-speaker';
import { GracefulRestartHelper, SelectionDeferral } from '../../src/engine/graceful-restart.js';
import { announce, engine, IPV4_UNICAST, IPV6_UNICAST, LOCAL_AS, negotiated, Receiver, type Driver } from './fixtures.js';

const V4 = familyKey(1, 1);
const V6 = familyKey(2, 1);
const gr = (time: number, f4: boolean | null, f6: boolean | null): PeerGracefulRestart => ({
  restartTime: time,
  restarting: false,
  families: [
    ...(f4 === null ? [] : [{ afi: 1, safi: 1, forwardingPreserved: f4 }]),
    ...(f6 === null ? [] : [{ afi: 2, safi: 1, forwardingPreserved: f6 }]),
  ],
});

function helper() {
  const clock = new ManualClock();
  const swept: string[] = [];
  const h = new GracefulRestartHelper(clock, { sweep: (p, f) => swept.push(`${p}:${f ?? 'all'}`) }, 300_000);
  return { h, clock, swept };
}

t.test('RFC 4724 §4.2: which families are retained when the session is lost', async (t) => {
  const cases: [string, PeerGracefulRestart | null, boolean, number[]][] = [
    ['peer with GR for both families, TCP lost', gr(120, true, true), false, [V4, V6]],
    ['peer with GR for IPv4 only', gr(120, true, null), false, [V4]],
    ['peer without GR capability', null, false, []],
    ['session ended by a NOTIFICATION (no RFC 8538 N-bit)', gr(120, true, true), true, []],
    ['restart time 0', gr(0, true, true), false, []],
  ];
  for (const [name, cap, notif, want] of cases) {
    const { h } = helper();
    t.same(h.sessionLost('p', cap, notif).sort(), want, name);
  }
});

t.test('RFC 4724 §4.2: re-established without F-bit → that family swept at once; the other waits for End-of-RIB', async (t) => {
  const { h, swept } = helper();
  h.sessionLost('p', gr(120, true, true), false);
  h.sessionEstablished('p', gr(120, true, false));
  t.same(swept, [`p:${V6}`]);
  t.equal(h.status('p')?.phase, 'stale');
  h.endOfRib('p', V4);
  t.same(swept, [`p:${V6}`, `p:${V4}`]);
  t.equal(h.status('p'), undefined, 'done');
});

t.test('RFC 4724 §4.2: re-established without any GR capability → everything swept', async (t) => {
  const { h, swept } = helper();
  h.sessionLost('p', gr(120, true, true), false);
  h.sessionEstablished('p', null);
  t.same(swept.sort(), [`p:${V4}`, `p:${V6}`].sort());
});

t.test('restart timer and stale timer', async (t) => {
  const { h, clock, swept } = helper();
  h.sessionLost('p', gr(60, true, null), false);
  clock.advance(59_999);
  t.same(swept, []);
  clock.advance(1);
  t.same(swept, ['p:all'], 'restart time elapsed');
  const b = helper();
  b.h.sessionLost('p', gr(60, true, null), false);
  b.clock.advance(30_000);
  b.h.sessionEstablished('p', gr(60, true, null));
  b.clock.advance(60_000);
  t.same(b.swept, [], 'restart timer cancelled once back');
  b.clock.advance(240_000);
  t.same(b.swept, ['p:all'], 'stale timer bounds the wait for End-of-RIB');
  const c = helper();
  c.h.sessionLost('p', gr(60, true, null), false);
  c.h.forget('p');
  c.clock.advance(120_000);
  t.same(c.swept, [], 'forget cancels timers');
});

t.test('RFC 4724 §4.1 selection deferral', async (t) => {
  const clock = new ManualClock();
  const d = new SelectionDeferral(clock, 15_000);
  let released = 0;
  d.onRelease(() => released++);
  const peer = (established: boolean, families: number[], eor: number[]) => ({ established, families, eorReceived: new Set(eor) });
  /** Peers by name; every one waited for, as the engine does when they are configured. */
  const check = (peers: Record<string, ReturnType<typeof peer>>): void => {
    for (const name of Object.keys(peers)) d.waitFor(name);
    d.check((name) => peers[name], () => Object.values(peers));
  };
  check({ a: peer(true, [V4], [V4]) });
  t.equal(released, 0, 'not started: nothing released before the first configuration');
  d.start();
  check({});
  t.equal(released, 0, 'no configured peer: wait for the timer');
  check({ a: peer(true, [V4, V6], [V4]), b: peer(true, [V4], [V4]) });
  t.equal(released, 0, 'one family still without End-of-RIB');
  check({ a: peer(true, [V4, V6], [V4, V6]), b: peer(false, [], []) });
  t.equal(released, 0, 'one peer not established');
  const gone: Record<string, ReturnType<typeof peer>> = { a: peer(true, [V4, V6], [V4, V6]) };
  d.waitFor('removed');
  d.check((name) => gone[name], () => Object.values(gone));
  t.equal(released, 1, 'released: every configured peer complete (one waited for is no longer configured)');
  t.match(d.reason, /End-of-RIB/);
  clock.advance(20_000);
  t.equal(released, 1, 'once');
  const e = new SelectionDeferral(clock, 15_000);
  e.start();
  clock.advance(15_000);
  t.ok(e.released);
  t.match(e.reason, /expired/);
  const z = new SelectionDeferral(clock, 0);
  z.start();
  t.ok(z.released, '0 = no deferral');
});

function up(e: Driver, address: string, node: string, o: Parameters<typeof negotiated>[1] = {}): Receiver {
  if (!e.engine.hasPeer(address)) e.configurePeer(address, node, true, LOCAL_AS);
  const n = negotiated(address, o);
  e.sessionUp(address, n);
  return new Receiver(address, n);
}

t.test('RFC 4724 §4.1 selection deferral: nothing sent until every configured peer sent End-of-RIB', async (t) => {
  const { e, clock } = engine({ deferralMs: 20_000 });
  const n1 = up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  n2.drain(e);
  t.equal(n2.routes.size + n2.endOfRib.size, 0, 'deferred');
  e.endOfRib('10.0.0.1', IPV4_UNICAST);
  n2.drain(e);
  t.equal(n2.endOfRib.size, 0, 'still deferred: n2 has not sent End-of-RIB');
  e.endOfRib('10.0.0.2', IPV4_UNICAST);
  t.ok(e.engine.released, 'released by End-of-RIB from every peer');
  n2.drain(e);
  n1.drain(e);
  t.same(n2.prefixes(), ['172.16.1.0/24'], 'then the complete table');
  t.ok(n2.endOfRib.has(V4));
  const other = engine({ deferralMs: 20_000 });
  up(other.e, '10.0.0.1', 'n1');
  other.e.configurePeer('10.0.0.2', 'n2', true, LOCAL_AS); // never comes up
  other.e.endOfRib('10.0.0.1', IPV4_UNICAST);
  t.notOk(other.engine.released, 'a peer that never came still defers');
  other.clock.advance(20_000);
  t.ok(other.engine.released, 'until the bounded deferral expires');
  void clock;
  const noGr = engine({ deferralMs: 20_000 });
  up(noGr.e, '10.0.0.1', 'n1');
  up(noGr.e, '10.0.0.2', 'n2', { gr: null });
  up(noGr.e, '10.0.0.3', 'n3', { gr: { restartTime: 120, restarting: true, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] } });
  t.notOk(noGr.engine.released);
  noGr.e.endOfRib('10.0.0.1', IPV4_UNICAST);
  t.ok(noGr.engine.released, 'peers without GR, or restarting themselves (R-bit), are not waited for');
  // A peer found complete leaves the waiting set; going down puts it back.
  const again = engine({ deferralMs: 20_000 });
  for (const k of [1, 2, 3]) up(again.e, `10.0.0.${k}`, `n${k}`);
  again.e.endOfRib('10.0.0.1', IPV4_UNICAST);
  again.e.sessionDown('10.0.0.1', false);
  again.e.endOfRib('10.0.0.2', IPV4_UNICAST);
  again.e.endOfRib('10.0.0.3', IPV4_UNICAST);
  t.notOk(again.engine.released, 'a peer complete once, then down, still defers');
  up(again.e, '10.0.0.1', 'n1');
  t.notOk(again.engine.released, 'back up, without End-of-RIB yet');
  again.e.endOfRib('10.0.0.1', IPV4_UNICAST);
  t.ok(again.engine.released, 'released once it sent End-of-RIB again');
  const removed = engine({ deferralMs: 20_000 });
  up(removed.e, '10.0.0.1', 'n1');
  removed.e.configurePeer('10.0.0.2', 'n2', true, LOCAL_AS);
  removed.e.endOfRib('10.0.0.1', IPV4_UNICAST);
  t.notOk(removed.engine.released);
  removed.e.unconfigurePeer('10.0.0.2');
  t.ok(removed.engine.released, 'a peer removed from the configuration is not waited for');
  const changed = engine({ deferralMs: 20_000 });
  up(changed.e, '10.0.0.1', 'n1');
  changed.e.configurePeer('10.0.0.2', 'n2', true, LOCAL_AS);
  changed.e.endOfRib('10.0.0.1', IPV4_UNICAST);
  changed.e.configurePeer('10.0.0.2', 'n2', false, LOCAL_AS); // no longer a client: removed and added again
  t.notOk(changed.engine.released, 'a reconfigured peer, still incomplete, still defers');
});

t.test('RFC 4724 §4.2 helper: routes kept stale while the node restarts, swept at its End-of-RIB', async (t) => {
  const { e } = engine();
  up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24', '172.16.9.0/24']));
  n2.drain(e);
  e.sessionDown('10.0.0.1', false);
  n2.drain(e);
  t.same(n2.prefixes(), ['172.16.1.0/24', '172.16.9.0/24'], 'still reflected while the node restarts');
  t.equal(e.engine.peerCounts('10.0.0.1', V4).stale, 2);
  up(e, '10.0.0.1', 'n1');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  e.endOfRib('10.0.0.1', IPV4_UNICAST);
  n2.drain(e);
  t.same(n2.prefixes(), ['172.16.1.0/24'], 'the route not announced again is withdrawn at End-of-RIB');
  t.equal(e.engine.peerCounts('10.0.0.1', V4).stale, 0);
});

t.test('RFC 4724 §4.2 helper: restart time expires → stale routes withdrawn', async (t) => {
  const { e, clock } = engine();
  up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  e.sessionDown('10.0.0.1', false);
  clock.advance(119_000);
  n2.drain(e);
  t.equal(n2.routes.size, 1, 'kept within the restart time');
  clock.advance(2000);
  n2.drain(e);
  t.equal(n2.routes.size, 0, 'withdrawn after it');
});

t.test('a session ended by a NOTIFICATION, or without GR, loses its routes at once', async (t) => {
  for (const [why, notif, gr] of [['NOTIFICATION', true, undefined], ['no GR capability', false, null]] as const) {
    const { e } = engine();
    up(e, '10.0.0.1', 'n1', gr === null ? { gr: null } : {});
    const n2 = up(e, '10.0.0.2', 'n2');
    e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
    n2.drain(e);
    e.sessionDown('10.0.0.1', notif);
    n2.drain(e);
    t.equal(n2.routes.size, 0, why);
  }
});


t.test("RFC 4724 §4.2: only the families in the peer's Graceful Restart capability are kept", async (t) => {
  const { e, engine: core, clock } = engine();
  const both = [IPV4_UNICAST, IPV6_UNICAST];
  up(e, '10.0.0.1', 'n1', { families: both, gr: { restartTime: 120, restarting: false, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] } });
  const n2 = up(e, '10.0.0.2', 'n2', { families: both });
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24']));
  e.update('10.0.0.1', announce('fd00::1', ['fd00:1::/64']));
  n2.drain(e);
  t.same(n2.prefixes(), ['172.16.1.0/24', 'fd00:1::/64']);
  e.sessionDown('10.0.0.1', false);
  n2.drain(e);
  t.same(n2.prefixes(), ['172.16.1.0/24'], 'IPv4 kept (stale), IPv6 withdrawn');
  t.equal(core.peerCounts('10.0.0.1', V4).stale, 1);
  clock.advance(120_000);
  n2.drain(e);
  t.same(n2.prefixes(), [], 'the restart time is over: swept');
});
