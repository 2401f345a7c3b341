/**
 * peer-guard.ts on real sockets: the route engine's session commands carried out on a
 * live Speaker — a client that announces more prefixes than the limit gets RFC 4486 §4
 * Cease 6/1 with AFI, SAFI and the limit in its data; the session stays down for the
 * backoff, then starts again, and a repeat offender waits longer (RFC 4271 §8.1.1
 * DampPeerOscillations). Unknown connections: counted always, logged at most once per
 * interval. The UPDATE budget pauses a flooding peer's socket.
 */
import t from 'tap';
import { Registry } from 'prom-client';
import { IPV4_UNICAST, Speaker, parseIpv4, parsePrefix, realClock, type NotificationEvent, type PathAttributes, type Peer } from '@bgp-rr/bgp-speaker';
import { freePort, leaseLoopbackBlock, waitFor } from '../../../../test/harness/index.js';
import { PeerGuard } from '../../src/daemon/peer-guard.js';
import { RouteEngine } from '../../src/engine/engine.js';
import { decodeMaxPrefixData } from '../../src/engine/prefix-limit.js';
import { acceptAll, engine } from '../engine/fixtures.js';

const AS = 64512;
const V4 = 0x101;

/** Speaker events into the engine, as daemon/speaker-events.ts does (a NOTIFICATION makes the session not graceful). */
function wire(ours: Speaker, e: RouteEngine): void {
  const notified = new Set<string>();
  ours.on('notification', (p) => notified.add(p.address));
  ours.on('established', (p, n) => {
    notified.delete(p.address);
    e.input({ type: 'sessionUp', peer: p.address, negotiated: n });
  });
  ours.on('state', (p, from, _to, reason) => {
    if (from === 'Established') e.input({ type: 'sessionDown', peer: p.address, reason, graceful: !notified.has(p.address) });
  });
  ours.on('update', (p, u) => e.input({ type: 'update', peer: p.address, update: u }));
}

t.test('over the limit: Cease 6/1 with RFC 4486 data, down for the backoff, then up again; a repeat waits longer', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, them] = [block.addr(1), block.addr(2)];
  const port = await freePort(us);
  const ours = new Speaker();
  t.teardown(() => ours.stop());
  const logs: string[] = [];
  const log = { info: (_o: object, m: string) => logs.push(m), warn: (_o: object, m: string) => logs.push(m) };
  const guard = new PeerGuard(ours, log, new Registry());
  const e = new RouteEngine({
    identity: { routerId: parseIpv4(us), clusterId: parseIpv4(us) },
    policy: acceptAll,
    prefixLimit: { max: 3, action: 'cease', backoff: { initialMs: 200, maxMs: 5000, jitter: 0 } },
    clock: realClock,
    selectionDeferralMs: 0,
    onCommand: (c) => guard.execute(c),
  });
  t.teardown(() => e.close());
  const backoffs: number[] = [];
  e.subscribe((ev) => {
    if (ev.type === 'limitExceeded') backoffs.push(ev.reconnectInMs ?? -1);
  });
  wire(ours, e);
  guard.wire();
  await ours.listen([{ address: us, port }]);
  e.input({ type: 'peerConfigured', peer: { address: them, node: 'n2', isClient: true, localAs: AS } });
  ours.addPeer({ peerAddress: them, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true, idleHoldSeconds: 0 });

  const client = new Speaker();
  t.teardown(() => client.stop());
  const notifications: NotificationEvent[] = [];
  client.on('notification', (_p, dir, n) => {
    if (dir === 'received') notifications.push(n);
  });
  let ups = 0;
  client.on('established', (p: Peer) => {
    ups++;
    const nlri = [1, 2, 3, 4, 5].map((i) => ({ prefix: parsePrefix(`172.16.2.${i}/32`), pathId: 0 }));
    client.sendUpdate(p, IPV4_UNICAST, { origin: 0, asPath: [], nextHop: parseIpv4(them), localPref: 100 }, nlri);
  });
  client.addPeer({ peerAddress: us, peerPort: port, localAddress: them, localAs: AS, peerAs: AS, routerId: them, connectRetrySeconds: 1, idleHoldSeconds: 0 });

  await waitFor(() => notifications.length >= 1, { what: 'the first Cease', timeoutMs: 20_000 });
  const n = notifications[0]!;
  t.same([n.code, n.subcode], [6, 1], 'Cease 6/1 Maximum Number of Prefixes Reached');
  t.same(decodeMaxPrefixData(n.data), { afi: 1, safi: 1, limit: 3 }, 'data: AFI 1, SAFI 1, upper bound 3 (RFC 4486 §4)');
  await waitFor(() => ours.getPeer(them)?.state === 'Idle', { what: 'our side of the session down', timeoutMs: 10_000 });
  t.equal(e.peerCounts(them, V4).received, 0, 'its routes are gone from the Adj-RIB-In');

  await waitFor(() => notifications.length >= 2, { what: 'the session back after the backoff, and the second Cease', timeoutMs: 20_000 });
  t.equal(ups, 2, 'the session came up again once the backoff was over');
  t.ok(logs.includes('prefix limit backoff over: session starts again'), 'the restart is logged');
  t.same(backoffs, [200, 400], 'a repeat offender: the second backoff doubles');
});

t.test('unknown connections: counted always, logged once per interval with a bounded sample', async (t) => {
  const speaker = new Speaker();
  let now = 1_000_000;
  const lines: { obj: { connections?: number; from?: string[] }; msg: string }[] = [];
  const log = { info: () => undefined, warn: (obj: object, msg: string) => lines.push({ obj, msg }) };
  const guard = new PeerGuard(speaker, log, new Registry(), { unknownLogIntervalMs: 60_000, now: () => now });
  guard.wire();
  for (let i = 0; i < 1000; i++) speaker.emit('unknownConnection', `10.9.${i >> 8}.${i & 255}`, '10.0.0.1');
  t.equal(lines.length, 1, 'a thousand refusals in the same minute: one log line');
  now += 60_000;
  speaker.emit('unknownConnection', '10.9.9.9', '10.0.0.1');
  t.equal(lines.length, 2, 'the next minute: the next line');
  t.equal(lines[1]!.obj.connections, 1000, 'with how many were refused since the last line');
  t.equal(lines[1]!.obj.from?.length, 8, 'and at most 8 sample addresses (no memory per address)');
  t.equal((await guard.unknownConnections.get()).values[0]?.value, 1001, 'bgp_rr_unknown_connections_total counts every one');
});

t.test('UPDATE budget: a flooding peer has its socket paused, loses nothing, and another peer is served meanwhile', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, flooder, quiet] = [block.addr(1), block.addr(2), block.addr(3)];
  const port = await freePort(us);
  const { engine: e } = engine();
  const ours = new Speaker();
  t.teardown(() => ours.stop());
  wire(ours, e);
  let pauses = 0;
  const pause = ours.pauseReading.bind(ours);
  ours.pauseReading = (p, ms) => {
    pauses++;
    pause(p, ms);
  };
  const log = { info: () => undefined, warn: () => undefined };
  const guard = new PeerGuard(ours, log, new Registry(), { updateBudget: { ratePerSec: 2000, burst: 100 } });
  guard.wire();
  await ours.listen([{ address: us, port }]);
  for (const [addr, name] of [[flooder, 'n2'], [quiet, 'n3']] as const) {
    e.input({ type: 'peerConfigured', peer: { address: addr, node: name, isClient: true, localAs: AS } });
    ours.addPeer({ peerAddress: addr, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true, idleHoldSeconds: 0 });
  }
  const FLOOD = 6000;
  const countOf = (addr: string): number => e.peerCounts(addr, V4).received;
  let floodWhenQuietSeen = -1;
  ours.on('update', (p) => {
    if (p.address === quiet && floodWhenQuietSeen < 0 && countOf(quiet) > 0) floodWhenQuietSeen = countOf(flooder);
  });

  const clients: Speaker[] = [];
  const connect = (addr: string, onUp: (p: Peer, c: Speaker) => void): void => {
    const c = new Speaker();
    clients.push(c);
    t.teardown(() => c.stop());
    c.on('established', (p) => onUp(p, c));
    c.addPeer({ peerAddress: us, peerPort: port, localAddress: addr, localAs: AS, peerAs: AS, routerId: addr, connectRetrySeconds: 1, idleHoldSeconds: 0 });
  };
  const attrs = (nh: string): PathAttributes => ({ origin: 0, asPath: [], nextHop: parseIpv4(nh), localPref: 100 });
  let quietPeer: { p: Peer; c: Speaker } | undefined;
  connect(quiet, (p, c) => (quietPeer = { p, c }));
  await waitFor(() => quietPeer !== undefined, { what: 'the quiet peer Established', timeoutMs: 20_000 });
  connect(flooder, (p, c) => {
    // One prefix per UPDATE: FLOOD messages, several socket reads' worth.
    for (let i = 0; i < FLOOD; i++) c.sendUpdate(p, IPV4_UNICAST, attrs(flooder), [{ prefix: parsePrefix(`10.${(i >> 8) & 255}.${i & 255}.0/24`), pathId: 0 }]);
    quietPeer!.c.sendUpdate(quietPeer!.p, IPV4_UNICAST, attrs(quiet), [{ prefix: parsePrefix('172.16.3.0/24'), pathId: 0 }]);
  });

  await waitFor(() => countOf(flooder) === FLOOD && countOf(quiet) === 1, { what: 'every UPDATE of both peers processed', timeoutMs: 60_000 });
  t.ok(pauses > 0, `the flooder's socket was paused (${pauses} times) once its budget was spent`);
  t.ok(floodWhenQuietSeen >= 0 && floodWhenQuietSeen < FLOOD, `the quiet peer's UPDATE was processed before the flood was through (${floodWhenQuietSeen}/${FLOOD})`);
  t.equal(ours.getPeer(flooder)?.state, 'Established', 'pausing never costs the flooder its session');
  t.equal(countOf(flooder), FLOOD, 'and none of its routes is lost');
});
