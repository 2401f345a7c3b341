/**
 * Two speakers of our own on a private loopback block: the session layer end to end
 * (dial/accept, OPEN exchange, UPDATE/End-of-RIB/ROUTE-REFRESH delivery, collision,
 * refusals with the right NOTIFICATION). Interop with other implementations is in
 * test/interop/.
 */
import t, { type Test } from 'tap';
import { once } from 'node:events';
import { leaseLoopbackBlock, waitFor, freePort } from '../../../../test/harness/index.js';
import { Speaker, type Peer, type PeerConfig, type NotificationEvent } from '../../src/speaker.js';
import { ManualClock, type Clock } from '../../src/session/clock.js';
import { encodeRouteRefresh } from '../../src/wire/route-refresh.js';
import { encodeOpen } from '../../src/wire/open.js';
import { KEEPALIVE_BYTES } from '../../src/wire/message.js';
import { CapabilityCode, IPV4_UNICAST, IPV6_UNICAST, Afi, MessageType, type Nlri } from '../../src/wire/types.js';
import { parseIpv4, parseIpv6 } from '../../src/wire/address.js';
import { ipv4Prefix, ipv6Prefix, formatPrefix } from '../../src/wire/prefix.js';
import type { DecodedUpdate } from '../../src/wire/update.js';

interface Log {
  states: string[];
  updates: DecodedUpdate[];
  eor: number[];
  notifications: { dir: string; n: NotificationEvent }[];
  /** "afi/safi subtype" per routeRefresh event. */
  refresh: string[];
}
function watch(s: Speaker): Log {
  const log: Log = { states: [], updates: [], eor: [], notifications: [], refresh: [] };
  s.on('state', (_p, _f, to, reason) => log.states.push(`${to}: ${reason}`));
  s.on('update', (_p, u) => log.updates.push(u));
  s.on('eor', (_p, f) => log.eor.push(f.afi));
  s.on('notification', (_p, dir, n) => log.notifications.push({ dir, n }));
  s.on('routeRefresh', (_p, f, subtype) => log.refresh.push(`${f.afi}/${f.safi} ${subtype}`));
  return log;
}
const established = (s: Speaker, addr: string) => () => s.getPeer(addr)?.state === 'Established';

async function pair(t: Test, over: { a?: Partial<PeerConfig>; b?: Partial<PeerConfig>; clockA?: Clock } = {}) {
  const block = await leaseLoopbackBlock(t);
  const [A, B] = [block.addr(1), block.addr(2)];
  const a = new Speaker(over.clockA ? { clock: over.clockA } : {});
  const b = new Speaker();
  t.teardown(() => Promise.all([a.stop(), b.stop()]));
  await a.listen([{ address: A, port: 1179 }]);
  await b.listen([{ address: B, port: 1179 }]);
  const la = watch(a);
  const lb = watch(b);
  const base = { localAs: 64512, peerAs: 64512, holdTime: 9, connectRetrySeconds: 1, peerPort: 1179 };
  a.addPeer({ ...base, peerAddress: B, localAddress: A, routerId: '10.0.0.1', ...over.a });
  b.addPeer({ ...base, peerAddress: A, localAddress: B, routerId: '10.0.0.2', passive: true, ...over.b });
  return { a, b, A, B, la, lb };
}

t.test('active dials passive: Established with reasons, then UPDATE, End-of-RIB and ROUTE-REFRESH both ways', async (t) => {
  const { a, b, A, B, la, lb } = await pair(t, {
    a: { addPath: [{ afi: 1, safi: 1, send: true, receive: true }], families: [IPV4_UNICAST, IPV6_UNICAST] },
    b: { addPath: [{ afi: 1, safi: 1, send: true, receive: true }], families: [IPV4_UNICAST, IPV6_UNICAST] },
  });
  await waitFor(established(a, B), { what: 'A Established', timeoutMs: 20_000 });
  await waitFor(established(b, A), { what: 'B Established', timeoutMs: 20_000 });
  t.match(la.states, ['Connect: ManualStart', /OpenSent: TCP connection established/, /OpenConfirm: OPEN received: hold time 9 s, keepalive 3 s/, 'Established: KEEPALIVE received: session established']);
  t.match(lb.states, ['Active: ManualStart_with_PassiveTcpEstablishment', /OpenSent: TCP connection accepted/]);
  const pa = a.getPeer(B)!;
  t.same(pa.negotiated?.families, [IPV4_UNICAST, IPV6_UNICAST]);
  t.same(pa.negotiated?.addPath, [{ afi: 1, safi: 1, send: true, receive: true }]);
  t.match(pa.localEndpoint, `${A}:`);

  const nlri: Nlri[] = [{ prefix: ipv4Prefix(parseIpv4('172.16.1.0'), 24), pathId: 7 }];
  t.ok(a.sendUpdate(pa, IPV4_UNICAST, { origin: 0, asPath: [], nextHop: parseIpv4(A), localPref: 100 }, nlri));
  const v6: Nlri[] = [{ prefix: ipv6Prefix(parseIpv6('fd00:1::'), 64), pathId: 0 }];
  t.ok(a.sendUpdate(pa, IPV6_UNICAST, { origin: 0, asPath: [], localPref: 100 }, v6, parseIpv6('fd00::1')));
  a.sendEndOfRib(pa, IPV4_UNICAST);
  a.sendEndOfRib(pa, IPV6_UNICAST);
  await waitFor(() => lb.eor.length === 2, { what: 'two End-of-RIB at B' });
  t.same(lb.eor, [Afi.IPV4, Afi.IPV6]);
  t.equal(lb.updates.length, 2);
  t.equal(formatPrefix(lb.updates[0]!.update.nlri[0]!.prefix), '172.16.1.0/24');
  t.equal(lb.updates[0]!.update.nlri[0]!.pathId, 7, 'ADD-PATH path identifier carried');
  t.equal(formatPrefix(lb.updates[1]!.update.attributes.mpReach!.nlri[0]!.prefix), 'fd00:1::/64');

  b.sendRouteRefresh(b.getPeer(A)!, IPV4_UNICAST);
  await waitFor(() => la.refresh.length === 1, { what: 'ROUTE-REFRESH at A' });
  t.same(la.refresh, ['1/1 request']);
  t.ok(b.getPeer(A)!.stats.received.update >= 4, 'messages counted per type');

  a.close(pa, { message: 'maintenance window', restart: false });
  await waitFor(() => lb.notifications.length > 0, { what: 'NOTIFICATION at B' });
  t.match(lb.notifications[0], { dir: 'received', n: { code: 6, subcode: 2, shutdownCommunication: 'maintenance window' } });
  t.match(la.notifications[0], { dir: 'sent', n: { code: 6, subcode: 2 } });
  await waitFor(() => b.getPeer(A)!.state === 'Active', { what: 'B back to Active' });
  t.match(b.getPeer(A)!.stats.lastError, /notification received: Cease \/ Administrative Shutdown \(6\/2\): maintenance window/);
  t.equal(a.getPeer(B)!.state, 'Idle', 'ManualStop: A stays Idle');
});

t.test('wrong peer AS: OPEN refused with NOTIFICATION 2/2 (RFC 4271 §6.2)', async (t) => {
  const { a, b, A, B, la, lb } = await pair(t, { b: { peerAs: 65000 } });
  await waitFor(() => lb.notifications.some((x) => x.dir === 'sent'), { what: 'B sends a NOTIFICATION' });
  t.match(lb.notifications.find((x) => x.dir === 'sent'), { n: { code: 2, subcode: 2 } });
  await waitFor(() => la.notifications.some((x) => x.dir === 'received'), { what: 'A receives it' });
  t.match(la.notifications.find((x) => x.dir === 'received'), { n: { code: 2, subcode: 2 } });
  t.notOk(a.getPeer(B)!.state === 'Established' || b.getPeer(A)!.state === 'Established');
});

t.test('connection collision (RFC 4271 §6.8): both dial, one session survives on both sides', async (t) => {
  const { a, b, A, B, la, lb } = await pair(t, { b: { passive: false } });
  await waitFor(() => established(a, B)() && established(b, A)(), { what: 'both Established', timeoutMs: 30_000 });
  // Whatever the race, both ends use one and the same TCP connection.
  const pa = a.getPeer(B)!;
  const pb = b.getPeer(A)!;
  t.equal(pa.localEndpoint, pb.remoteEndpoint, 'same connection seen from both ends');
  t.equal(pa.remoteEndpoint, pb.localEndpoint);
  // Both dial at once, so each side holds two connections until §6.8 closes one with Cease 6/7.
  const cease7 = [...la.notifications, ...lb.notifications].filter((x) => x.dir === 'sent' && x.n.code === 6 && x.n.subcode === 7);
  t.ok(cease7.length >= 1, 'a Cease 6/7 (Connection Collision Resolution) was sent');
});

t.test('unknown remote address: destroyed and reported, no peer state', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const s = new Speaker();
  t.teardown(() => s.stop());
  const port = await freePort(block.addr(1));
  await s.listen([{ address: block.addr(1), port }]);
  const seen = once(s, 'unknownConnection');
  const { connect } = await import('node:net');
  const c = connect({ host: block.addr(1), port, localAddress: block.addr(9) });
  c.on('error', () => {});
  const [remote] = await seen;
  t.equal(remote, block.addr(9));
  t.equal([...s.peers()].length, 0);
  c.destroy();
});

t.test('configuration errors are refused at addPeer', async (t) => {
  const s = new Speaker();
  const base = { localAs: 1, peerAs: 1, routerId: '10.0.0.1', peerAddress: '127.0.0.9' };
  t.throws(() => s.addPeer({ ...base, holdTime: 2 }), /hold time 2/, 'RFC 4271 §4.2: 1 and 2 s are not hold times');
  t.throws(() => s.addPeer({ ...base, ttl: 255 }), /IP_TTL/, 'TTL other than the system default');
  t.throws(() => s.addPeer({ ...base, routerId: '0.0.0.0' }), /router id/);
  const p: Peer = s.addPeer({ ...base, passive: true });
  t.throws(() => s.addPeer({ ...base }), /already exists/);
  t.equal(p.state, 'Active');
  await s.stop();
});

t.test('updatePeer: a new hold time resets with Cease 6/6 and re-establishes; the GR R-bit alone does not reset', async (t) => {
  const gr = { restartTime: 120, restarting: true, families: [{ afi: 1 as const, safi: 1, forwardingPreserved: false }] };
  const { a, b, A, B, la, lb } = await pair(t, { a: { gracefulRestart: gr, idleHoldSeconds: 0 }, b: { gracefulRestart: gr } });
  await waitFor(established(a, B), { what: 'Established' });
  const cfg = a.getPeer(B)!.config;
  a.updatePeer(B, { ...cfg, description: 'node-1', gracefulRestart: { ...gr, restarting: false } });
  t.equal(a.getPeer(B)!.state, 'Established', 'description and R-bit changes keep the session');
  t.equal(la.notifications.length, 0);
  a.updatePeer(B, { ...a.getPeer(B)!.config, holdTime: 30 });
  await waitFor(() => lb.notifications.some((x) => x.dir === 'received' && x.n.code === 6 && x.n.subcode === 6), { what: 'Cease 6/6 at B' });
  await waitFor(() => a.getPeer(B)!.state === 'Established' && a.getPeer(B)!.negotiated?.holdTime === 9, { what: 're-established' });
  t.equal(a.getPeer(B)!.stats.establishedTransitions, 2, 'the session came back by itself');
  t.equal(b.getPeer(A)!.negotiated?.peerGracefulRestart?.restarting, false, 'the new OPEN carries R-bit 0');
  a.removePeer(B);
  t.equal(a.getPeer(B), undefined, 'removed from the peer table');
  await waitFor(() => lb.notifications.some((x) => x.dir === 'received' && x.n.code === 6 && x.n.subcode === 3), { what: 'Cease 6/3 Peer De-configured at B' });
  t.pass('removePeer sent Cease 6/3');
});

t.test('RFC 4724 §4.2: a new connection from a GR peer while Established means it restarted; closeSilently sends no NOTIFICATION', async (t) => {
  const gr = { restartTime: 120, restarting: false, families: [{ afi: 1 as const, safi: 1, forwardingPreserved: false }] };
  const { a, b, A, B, la, lb } = await pair(t, { a: { gracefulRestart: gr }, b: { gracefulRestart: gr } });
  await waitFor(() => established(a, B)() && established(b, A)(), { what: 'Established' });
  const { connect } = await import('node:net');
  const restarted = connect({ host: B, port: 1179, localAddress: A });
  restarted.on('error', () => {});
  t.teardown(() => restarted.destroy());
  let opened = false;
  restarted.on('data', (d: Buffer) => (opened ||= d[18] === 1));
  await waitFor(() => opened, { what: 'B sends its OPEN on the new connection' });
  t.ok(lb.states.includes('Idle: TCP connection failed: new connection while Established: the peer restarted (RFC 4724 §4.2)'), 'B dropped the old session with that reason');
  t.ok(lb.states.includes('OpenSent: TCP connection accepted (peer dialled)'), 'and runs the FSM on the new connection');
  t.equal(lb.notifications.filter((x) => x.dir === 'sent').length, 0, 'no NOTIFICATION on the old connection (routes kept stale by a GR helper)');
  restarted.destroy();
  await waitFor(() => established(a, B)() && established(b, A)(), { what: 'A and B Established again' });

  const sentBefore = la.notifications.length;
  a.closeSilently(a.getPeer(B)!);
  await waitFor(() => lb.states.at(-1)?.startsWith('Active') || lb.states.at(-1)?.startsWith('Idle'), { what: 'B sees the TCP close' });
  t.equal(la.notifications.length, sentBefore, 'closeSilently sent no NOTIFICATION');
  t.match(a.getPeer(B)!.stats.lastError, /without NOTIFICATION \(graceful restart/);
});

t.test('ROUTE-REFRESH by subtype name (RFC 2918, RFC 7313); other subtypes and families not negotiated ignored but counted', async (t) => {
  const { a, b, A, B, la } = await pair(t);
  await waitFor(() => established(a, B)() && established(b, A)(), { what: 'Established' });
  const pa = a.getPeer(B)!;
  const pb = b.getPeer(A)!;
  t.match(pa.negotiated, { families: [IPV4_UNICAST], routeRefresh: true, enhancedRouteRefresh: true }, 'both capabilities negotiated, IPv4 only');
  t.ok(b.sendRouteRefresh(pb, IPV4_UNICAST));
  t.ok(b.sendRouteRefresh(pb, IPV4_UNICAST, 'borr'));
  t.ok(b.sendRouteRefresh(pb, IPV4_UNICAST, 'eorr'));
  t.ok(b.sendRouteRefresh(pb, IPV6_UNICAST), 'a family not negotiated is sent (the receiver ignores it)');
  t.ok(b.send(pb, [encodeRouteRefresh({ type: MessageType.ROUTE_REFRESH, afi: 1, subtype: 9, safi: 1 })]), 'subtype 9');
  b.sendRouteRefresh(pb, IPV4_UNICAST, 'request'); // the marker: everything before it has arrived
  await waitFor(() => la.refresh.length === 4, { what: 'four routeRefresh events at A' });
  t.same(la.refresh, ['1/1 request', '1/1 borr', '1/1 eorr', '1/1 request'], 'IPv6 (RFC 2918 §4) and subtype 9 (RFC 7313 §5) not passed up');
  t.equal(pa.stats.received.routeRefresh, 6, 'all six counted as received');
  t.equal(pa.state, 'Established', 'ignoring is no error');
});

t.test('RFC 2918 §3, RFC 7313 §4: no ROUTE-REFRESH toward a peer that did not advertise the capability', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, them] = [block.addr(1), block.addr(2)];
  const port = await freePort(us);
  const s = new Speaker();
  t.teardown(() => s.stop());
  await s.listen([{ address: us, port }]);
  const peer = s.addPeer({ peerAddress: them, localAddress: us, localAs: 64512, peerAs: 64512, routerId: '10.0.0.1', passive: true });
  const { connect } = await import('node:net');
  const c = connect({ host: us, port, localAddress: them });
  c.on('error', () => {});
  t.teardown(() => c.destroy());
  await once(c, 'connect');
  // An OPEN with 4-octet AS and IPv4 unicast only: no Route Refresh, no Enhanced Route Refresh.
  const caps = [{ code: CapabilityCode.MULTIPROTOCOL, afi: 1, safi: 1 }, { code: CapabilityCode.FOUR_OCTET_AS, asn: 64512 }] as const;
  c.write(encodeOpen({ type: 1, version: 4, myAs: 64512, holdTime: 90, bgpId: 0x0a000002, capabilities: [...caps] }));
  c.write(KEEPALIVE_BYTES);
  await waitFor(() => peer.state === 'Established', { what: 'Established with the bare client' });
  t.match(peer.negotiated, { routeRefresh: false, enhancedRouteRefresh: false });
  const before = peer.stats.sent.routeRefresh;
  t.notOk(s.sendRouteRefresh(peer, IPV4_UNICAST), 'request refused');
  t.notOk(s.sendRouteRefresh(peer, IPV4_UNICAST, 'borr'), 'BoRR refused');
  t.notOk(s.sendRouteRefresh(peer, IPV4_UNICAST, 'eorr'), 'EoRR refused');
  t.equal(peer.stats.sent.routeRefresh, before, 'nothing queued');
});

t.test('PeerStats.since and lastErrorAt are wall-clock times from the injected clock', async (t) => {
  const base = Date.UTC(2030, 0, 1);
  const clock = new ManualClock(() => 0.5, base);
  // A runs on the manual clock: it dials at once and needs no timer to reach Established.
  const { a, b, A, B } = await pair(t, { clockA: clock });
  const pa = a.getPeer(B)!;
  t.match(pa.stats, { since: base, lastError: null, lastErrorAt: null }, 'at addPeer: since = the wall clock, no error');
  await waitFor(() => established(a, B)() && established(b, A)(), { what: 'Established' });
  t.match(pa.stats, { since: base, lastError: null, lastErrorAt: null });

  clock.advance(250);
  b.close(b.getPeer(A)!, { message: 'first' });
  await waitFor(() => pa.state === 'Idle', { what: 'A Idle after the NOTIFICATION' });
  t.match(pa.stats, { since: base + 250, lastError: /notification received: .*first/, lastErrorAt: base + 250 }, 'the error and its time');

  // B (passive) listens again at once; A restarts after its IdleHoldTime (1 s) on the manual clock.
  await waitFor(() => b.getPeer(A)!.state === 'Active', { what: 'B Active again' });
  clock.advance(1000);
  await waitFor(() => established(a, B)() && established(b, A)(), { what: 'Established again' });
  t.match(pa.stats, { since: base + 1250, lastError: /first/, lastErrorAt: base + 250 }, 'the last error and its time survive re-establishment');

  clock.advance(250);
  a.close(pa, { message: 'second', restart: false });
  t.match(pa.stats, { since: base + 1500, lastError: /ManualStop: .*second/, lastErrorAt: base + 1500 }, 'a NOTIFICATION we send: the error at the same clock');
  t.equal(new Date(pa.stats.lastErrorAt!).toISOString(), '2030-01-01T00:00:01.500Z');
});
