/**
 * The prefix limit (engine/prefix-limit.ts): RFC 4486 §4 Cease data, the backoff, and one
 * test per --max-prefixes-action, through the route engine's vocabulary.
 */
import t from 'tap';
import { decodeMessage, DEFAULT_CODEC_CONTEXT, encodeNotification, familyKey, MessageType } from '@bgp-rr/bgp-speaker';
import { backoffDelay, decodeMaxPrefixData, maxPrefixNotification, ReconnectBackoff } from '../../src/engine/prefix-limit.js';
import { announce, engine, IPV4_UNICAST, IPV6_UNICAST, LOCAL_AS, negotiated, ownerPolicy, Receiver, withdraw, type Driver } from './fixtures.js';

const V4 = familyKey(1, 1);
const V6 = familyKey(2, 1);
const FIVE = ['172.16.1.0/24', '172.16.2.0/24', '172.16.3.0/24', '172.16.4.0/24', '172.16.5.0/24'];

function up(e: Driver, address: string, node: string, o: Parameters<typeof negotiated>[1] = {}): Receiver {
  if (!e.engine.hasPeer(address)) e.configurePeer(address, node, true, LOCAL_AS);
  const n = negotiated(address.includes(':') ? '10.9.9.9' : address, o);
  e.sessionUp(address, n);
  return new Receiver(address, n);
}

t.test('RFC 4486 §4: Cease 6/1 data is AFI(2) SAFI(1) upper bound(4)', async (t) => {
  const n = maxPrefixNotification({ afi: 1, safi: 1, limit: 1000 });
  t.equal(n.code, 6);
  t.equal(n.subcode, 1);
  t.same([...n.data], [0, 1, 1, 0, 0, 0x03, 0xe8]);
  t.same(decodeMaxPrefixData(n.data), { afi: 1, safi: 1, limit: 1000 });
  t.equal(decodeMaxPrefixData(new Uint8Array(3)), null);
  const bytes = encodeNotification({ type: MessageType.NOTIFICATION, ...n });
  const m = decodeMessage(bytes, DEFAULT_CODEC_CONTEXT).message;
  t.equal(m.type, MessageType.NOTIFICATION);
  if (m.type === MessageType.NOTIFICATION) t.same(decodeMaxPrefixData(m.data), { afi: 1, safi: 1, limit: 1000 }, 'survives the wire');
});

t.test('backoff: doubles from the first delay, capped, jitter only shortens', async (t) => {
  const o = { initialMs: 60_000, maxMs: 300_000, jitter: 0.25 };
  t.same([1, 2, 3, 4, 5].map((n) => backoffDelay(n, 0, o)), [60_000, 120_000, 240_000, 300_000, 300_000]);
  t.equal(backoffDelay(1, 0.999999, o), 45_000);
  t.equal(backoffDelay(0, 0, o), 60_000, 'attempt < 1 counts as the first');
  t.equal(backoffDelay(1000, 0, o), 300_000, 'no overflow on large attempt numbers');
});

t.test('ReconnectBackoff: repeats grow, a stable session resets, others unaffected', async (t) => {
  const b = new ReconnectBackoff({ initialMs: 1000, maxMs: 8000, stableMs: 60_000, jitter: 0 }, () => 0);
  t.equal(b.remaining('10.0.0.1', 0), 0, 'unknown peer: may connect');
  t.equal(b.penalise('10.0.0.1', 0), 1000);
  t.equal(b.remaining('10.0.0.1', 400), 600);
  t.equal(b.remaining('10.0.0.2', 400), 0, 'another peer is not penalised');
  b.up('10.0.0.1', 1000);
  t.equal(b.penalise('10.0.0.1', 2000), 2000 + 2000, 'second offence within the stable time: doubled');
  t.equal(b.attempts('10.0.0.1'), 2);
  b.up('10.0.0.1', 5000);
  t.equal(b.penalise('10.0.0.1', 5000 + 60_000), 65_000 + 1000, 'up for the stable time: back to the first delay');
  b.forget('10.0.0.1');
  t.equal(b.attempts('10.0.0.1'), 0);
});

t.test('action cease (the default): Cease 6/1 with RFC 4486 data, nothing past the limit stored, back after the backoff, longer for a repeat', async (t) => {
  const { e, engine: core, clock, commands, logs } = engine({ maxPrefixes: 2 });
  up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', FIVE));
  t.equal(commands.length, 1, 'one command');
  const c = commands[0]!;
  t.equal(c.type, 'cease');
  if (c.type === 'cease') {
    t.equal(c.peer, '10.0.0.1');
    t.equal(c.subcode, 1, 'Cease subcode 1 Maximum Number of Prefixes Reached (RFC 4486 §3)');
    t.same(decodeMaxPrefixData(c.data), { afi: 1, safi: 1, limit: 2 });
  }
  t.equal(core.peerCounts('10.0.0.1', V4).received, 2, 'the path that went over is not stored, nor the rest of the UPDATE');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.9.0/24']));
  t.equal(core.peerCounts('10.0.0.1', V4).received, 2, 'UPDATEs that were already on their way are ignored until the session is down');
  t.equal(logs.filter((l) => /Cease 6\/1/.test(l.msg)).length, 1, 'logged once');
  e.sessionDown('10.0.0.1', true); // we sent a NOTIFICATION: no graceful restart
  n2.drain(e);
  t.same(n2.prefixes(), [], 'its routes are withdrawn from the others');
  t.equal(core.peerView('10.0.0.1')!.limitBackoffMs, 60_000, 'kept down for the first backoff (60 s)');
  clock.advance(59_999);
  t.equal(commands.length, 1, 'not before the backoff is over');
  clock.advance(1);
  t.same(commands[1], { type: 'start', peer: '10.0.0.1' }, 'then the session may start again');
  up(e, '10.0.0.1', 'n1');
  e.update('10.0.0.1', announce('10.0.0.1', FIVE));
  t.equal(commands[2]?.type, 'cease', 'a repeat offender is closed again');
  e.sessionDown('10.0.0.1', true);
  t.equal(core.peerView('10.0.0.1')!.limitBackoffMs, 120_000, 'and waits twice as long (RFC 4271 §8.1.1 DampPeerOscillations)');
});

t.test('action block: the session stays up, paths past the limit are dropped, a refresh is asked once there is room', async (t) => {
  const { e, engine: core, commands, logs, events } = engine({ maxPrefixes: 2, limitAction: 'block' });
  up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', FIVE));
  n2.drain(e);
  t.same(n2.prefixes(), ['172.16.1.0/24', '172.16.2.0/24'], 'the first two are reflected');
  t.same(core.peerCounts('10.0.0.1', V4), { received: 2, accepted: 2, rejected: 0, stale: 0, advertised: 0 }, 'the rest is not held: it would cost the memory the limit protects');
  t.same(commands, [], 'no session reset');
  const dropped = events.filter((ev) => ev.type === 'pathRejected' && !ev.stored);
  t.equal(dropped.length, 3, 'each dropped path is in the change feed');
  t.same(dropped.map((ev) => (ev.type === 'pathRejected' ? ev.rejection.kind : '')), ['limit', 'limit', 'limit'], 'of kind limit');
  t.equal(logs.filter((l) => /prefix limit reached/.test(l.msg)).length, 1, 'one log line for the leak, not one per path');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24'], { attrs: { localPref: 200 } }));
  n2.drain(e);
  t.equal(n2.get('172.16.1.0/24')?.localPref, 200, 'an update of a held path still goes through');
  e.update('10.0.0.1', withdraw(['172.16.2.0/24']));
  t.same(commands, [{ type: 'requestRefresh', peer: '10.0.0.1', family: IPV4_UNICAST }], 'back under the limit after dropping paths: ask the peer to send them again (RFC 2918)');
  t.ok(events.some((ev) => ev.type === 'limitCleared'), 'limitCleared in the feed');
  e.update('10.0.0.1', announce('10.0.0.1', FIVE.slice(2)));
  t.equal(core.peerCounts('10.0.0.1', V4).received, 2, 'the limit holds again');
  t.equal(logs.filter((l) => /prefix limit reached/.test(l.msg)).length, 2, 'a new crossing, a new line');
});

t.test('action warn: everything stored, the crossing reported once', async (t) => {
  const { e, engine: core, commands, logs } = engine({ maxPrefixes: 2, limitAction: 'warn' });
  up(e, '10.0.0.1', 'n1');
  const n2 = up(e, '10.0.0.2', 'n2');
  e.update('10.0.0.1', announce('10.0.0.1', FIVE));
  n2.drain(e);
  t.equal(n2.prefixes().length, 5, 'all reflected');
  t.equal(core.peerCounts('10.0.0.1', V4).received, 5);
  t.same(commands, [], 'no session reset, no refresh');
  t.equal(logs.filter((l) => /prefix limit exceeded: paths still accepted/.test(l.msg)).length, 1, 'warned once');
  e.update('10.0.0.1', withdraw(FIVE.slice(1)));
  t.equal(logs.filter((l) => l.msg === 'back under the prefix limit').length, 1, 'and told when it is back under');
});

t.test('the limit counts every path held, accepted or rejected, per family; 0 is no limit', async (t) => {
  const { e, commands } = engine({ maxPrefixes: 2, policy: ownerPolicy({ '172.16.1.0/24': 'n1' }) });
  up(e, '10.0.0.1', 'n1', { families: [IPV4_UNICAST, IPV6_UNICAST] });
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24', '10.99.0.0/16']));
  e.update('10.0.0.1', announce('fd00::1', ['fd00:1::/64', 'fd00:2::/64']));
  t.same(commands, [], 'two per family: within the limit');
  e.update('10.0.0.1', announce('10.0.0.1', ['10.98.0.0/16']));
  t.equal(commands[0]?.type, 'cease', 'a third IPv4 path, rejected by policy or not, is over it');
  t.equal(e.engine.peerCounts('10.0.0.1', V6).received, 2);
  const none = engine({ maxPrefixes: 0 });
  up(none.e, '10.0.0.1', 'n1');
  none.e.update('10.0.0.1', announce('10.0.0.1', Array.from({ length: 300 }, (_, i) => `172.17.${i >> 8}.${i & 255}/32`)));
  t.same(none.commands, [], '0: no limit');
  t.equal(none.engine.peerCounts('10.0.0.1', V4).received, 300);
});

t.test('stale paths do not count: a peer back from a graceful restart with a new table is judged on it', async (t) => {
  const { e, engine: core, commands } = engine({ maxPrefixes: 3 });
  up(e, '10.0.0.1', 'n1');
  e.update('10.0.0.1', announce('10.0.0.1', FIVE.slice(0, 3)));
  e.endOfRib('10.0.0.1', IPV4_UNICAST);
  e.sessionDown('10.0.0.1', false); // graceful: the three are kept stale (RFC 4724 §4.2)
  up(e, '10.0.0.1', 'n1');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.9.0/24']));
  t.same(commands, [], 'one new path with three stale ones: within the limit');
  t.same(core.peerCounts('10.0.0.1', V4), { received: 4, accepted: 4, rejected: 0, stale: 3, advertised: 0 });
  e.endOfRib('10.0.0.1', IPV4_UNICAST);
  t.same(core.peerCounts('10.0.0.1', V4), { received: 1, accepted: 1, rejected: 0, stale: 0, advertised: 0 }, 'the stale ones swept at End-of-RIB');
});

t.test('block: a refresh is asked when the peer is back under its limit — at most once a minute, and only of a peer that can answer', async (t) => {
  const { e, clock, commands, events } = engine({ maxPrefixes: 1, limitAction: 'block' });
  up(e, '10.0.0.1', 'n1');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24', '172.16.2.0/24'])); // the second is dropped
  e.update('10.0.0.1', withdraw(['172.16.1.0/24']));
  t.ok(events.some((ev) => ev.type === 'limitCleared'), 'back under its limit');
  t.same(commands, [{ type: 'requestRefresh', peer: '10.0.0.1', family: IPV4_UNICAST }], 'what was dropped is asked for again (RFC 2918)');
  e.update('10.0.0.1', announce('10.0.0.1', ['172.16.2.0/24', '172.16.3.0/24'])); // the peer answers: one fits, one is dropped
  e.update('10.0.0.1', withdraw(['172.16.2.0/24'])); // under again, a moment after the last refresh
  t.equal(commands.length, 1, 'not asked twice within a minute (a peer at its limit dropping one path at a time is not asked for its table each time)...');
  clock.advance(60_000);
  t.equal(commands.length, 2, '...but once the minute is over');
  const plain = engine({ maxPrefixes: 1, limitAction: 'block' });
  plain.e.configurePeer('10.0.0.1', 'n1', true, LOCAL_AS);
  plain.e.sessionUp('10.0.0.1', { ...negotiated('10.0.0.1'), routeRefresh: false, enhancedRouteRefresh: false });
  plain.e.update('10.0.0.1', announce('10.0.0.1', ['172.16.1.0/24', '172.16.2.0/24']));
  plain.e.update('10.0.0.1', withdraw(['172.16.1.0/24']));
  t.same(plain.commands, [], 'a peer without the route refresh capability is not asked');
});
