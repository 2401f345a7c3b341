/**
 * Unknown and bad peers against a running `bgp-rr run`, with a BIRD node (n4)
 * as the bystander whose session must never move:
 *
 *   - connections from an address that is no peer: closed at once (nothing sent),
 *     counted in bgp_rr_unknown_connections_total, logged once (rate limited);
 *   - OPEN with the wrong AS → NOTIFICATION 2/2; BGP Identifier 0 or equal to ours on
 *     an internal session → 2/3 (RFC 4271 §6.2, RFC 6286 §2.2);
 *   - a peer that sends its OPEN and then nothing → dropped at the HoldTimer (4/0);
 *   - a peer announcing more than --max-prefixes → Cease 6/1 (RFC 4486), session down
 *     and kept down (backoff), counted in bgp_rr_prefix_limit_exceeded_total{action="cease"};
 * and, on a Speaker with a manual clock, a connection that never sends its OPEN is
 * dropped when the OpenSent HoldTimer (the "large value", 4 min, RFC 4271 §8.2.2) expires.
 */
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { freePort, leaseLoopbackBlock, waitFor } from '../harness/index.js';
import { Framer } from '../../packages/bgp-speaker/src/wire/framer.js';
import { encodeOpen } from '../../packages/bgp-speaker/src/wire/open.js';
import { parseIpv4 } from '../../packages/bgp-speaker/src/wire/address.js';
import { buildOpen } from '../../packages/bgp-speaker/src/fsm/negotiate.js';
import { IPV4_UNICAST } from '../../packages/bgp-speaker/src/wire/types.js';
import { Speaker } from '../../packages/bgp-speaker/src/speaker.js';
import { ManualClock } from '../../packages/bgp-speaker/src/session/clock.js';
import { AS, startReflectorCluster } from '../harness/reflector-cluster.js';

interface RawPeer {
  readonly sock: Socket;
  readonly types: number[];
  /** The first NOTIFICATION (code/subcode), or 'closed' when the socket closed without one. */
  readonly ended: Promise<string>;
}

/** A raw TCP client from `local` to host:port, recording message types and the first NOTIFICATION. */
function rawPeer(local: string, host: string, port: number): RawPeer {
  const sock = connect({ host, port, localAddress: local });
  const framer = new Framer(4096);
  const types: number[] = [];
  sock.on('error', () => undefined);
  const ended = new Promise<string>((resolve) => {
    sock.on('data', (d: Buffer) => {
      framer.push(d);
      for (let m = framer.next(); m !== null; m = framer.next()) {
        types.push(m[18]!);
        if (m[18] === 3) resolve(`${m[19]}/${m[20]}`);
      }
    });
    sock.on('close', () => resolve('closed'));
  });
  return { sock, types, ended };
}

const open = (as: number, id: string, hold = 90): Uint8Array => encodeOpen(buildOpen({ localAs: as, routerId: parseIpv4(id), holdTime: hold, families: [IPV4_UNICAST], addPath: [] }));

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

t.test('unknown addresses, wrong AS, bad router id, silent peer, too many prefixes', async (t) => {
  const c = await startReflectorCluster(t, { nodes: [2, 3, 4, 5] });
  const rr = c.startReflector(['--hold-time', '3', '--max-prefixes', '20']);
  await c.reflectorReady();
  await c.startNode(4);
  const [n4] = await c.waitEstablished(['n4']).then((rows) => rows.filter((r) => r.node === 'n4'));
  const metrics = `http://${c.rrAddress}:9179/metrics`;
  const rrAddr = c.rrAddress;

  // 1. Twenty connections from an address that is no Calico node.
  const strangers = Array.from({ length: 20 }, () => rawPeer(c.block.addr(50), rrAddr, 179));
  const endings = await Promise.all(strangers.map((s) => s.ended));
  t.same([...new Set(endings)], ['closed'], 'every connection from an unknown address is closed');
  t.same(strangers.flatMap((s) => s.types), [], 'nothing is sent to it (not even an OPEN)');
  await waitFor(async () => (await metric(metrics, 'bgp_rr_unknown_connections_total')) >= 20, { what: 'bgp_rr_unknown_connections_total >= 20', timeoutMs: 10_000 });
  t.pass('counted: bgp_rr_unknown_connections_total >= 20');
  const logged = rr.output.split('\n').filter((l) => l.includes('connections from addresses that are no peer refused'));
  t.equal(logged.length, 1, 'logged once for the twenty (rate limited)');

  // 2. OPEN errors from configured node addresses (RFC 4271 §6.2, RFC 6286 §2.2).
  const cases: [string, Uint8Array, string][] = [
    ['wrong AS → 2/2 Bad Peer AS', open(65099, c.block.addr(2)), '2/2'],
    ['BGP Identifier 0.0.0.0 → 2/3 Bad BGP Identifier', open(AS, '0.0.0.0'), '2/3'],
    ['BGP Identifier equal to ours on an internal session → 2/3', open(AS, rrAddr), '2/3'],
  ];
  for (const [rule, msg, want] of cases) {
    const p = rawPeer(c.block.addr(2), rrAddr, 179);
    p.sock.write(msg);
    t.equal(await p.ended, want, rule);
    p.sock.destroy();
  }

  // 3. OPEN, then silence: OpenConfirm's HoldTimer (negotiated 3 s) drops it with 4/0.
  const silent = rawPeer(c.block.addr(3), rrAddr, 179);
  silent.sock.write(open(AS, c.block.addr(3), 3));
  t.equal(await silent.ended, '4/0', 'a peer silent after its OPEN: NOTIFICATION 4/0 Hold Timer Expired');
  t.same(silent.types.slice(0, 2), [1, 4], 'after our OPEN and KEEPALIVE');
  silent.sock.destroy();

  // 4. n5 announces 30 prefixes with --max-prefixes 20: Cease 6/1, kept down.
  const many = Array.from({ length: 30 }, (_, i) => `172.16.5.${i + 1}/32`);
  const n5 = c.startSpeaker(5, { announce: many, holdTime: 3 });
  const cease = await n5.waitForLine((l) => /"event":"notification".*"direction":"received"/.test(l), { timeoutMs: 60_000 });
  const n = JSON.parse(cease) as { code: number; subcode: number; message: string };
  t.same([n.code, n.subcode], [6, 1], `n5 receives Cease 6/1 Maximum Number of Prefixes Reached (${n.message})`);
  const ceases = 'bgp_rr_prefix_limit_exceeded_total{family="ipv4-unicast",action="cease"}';
  await waitFor(async () => (await metric(metrics, ceases)) === 1, { what: `${ceases} 1`, timeoutMs: 10_000 });
  t.pass(`counted in ${ceases}`);
  const row5 = (await c.peers()).find((p) => p.node === 'n5');
  t.not(row5?.state, 'Established', `n5 is kept down for the backoff (${row5?.state}, last error: ${row5?.lastError})`);
  t.match(rr.output, /prefix limit exceeded: session closed with Cease 6\/1/, 'the replica logs why, with the limit and the backoff');
  await c.waitRoutes('n4', []);
  t.pass('n4 holds none of n5\'s prefixes');

  const after = (await c.peers()).find((p) => p.node === 'n4');
  t.equal(after?.since, n4?.since, 'the bystander n4 stayed Established throughout');
  t.equal(after?.state, 'Established');
});

t.test('a connection that never sends its OPEN is dropped when the OpenSent HoldTimer (4 min) expires', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, them] = [block.addr(1), block.addr(2)];
  const port = await freePort(us);
  const clock = new ManualClock();
  const speaker = new Speaker({ clock });
  t.teardown(() => speaker.stop());
  await speaker.listen([{ address: us, port }]);
  const peer = speaker.addPeer({ peerAddress: them, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true });
  const p = rawPeer(them, us, port);
  await waitFor(() => peer.state === 'OpenSent', { what: 'OpenSent', timeoutMs: 10_000, intervalMs: 5 });
  clock.advance(239_000);
  t.equal(peer.state, 'OpenSent', 'still waiting after 239 s');
  clock.advance(1_001);
  t.equal(await p.ended, '4/0', 'NOTIFICATION 4/0 at 240 s (RFC 4271 §8.2.2: HoldTimer set to a large value in OpenSent)');
  t.not(peer.state, 'OpenSent', `the session left OpenSent (${peer.state})`);
  p.sock.destroy();
  t.same(p.types, [1, 3], 'it got our OPEN, then the NOTIFICATION, nothing else');
});


t.test('maxConnections: a listening socket holding its cap closes the next connection at accept', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, a, b] = [block.addr(1), block.addr(2), block.addr(3)];
  const port = await freePort(us);
  const speaker = new Speaker({ maxConnections: 1 });
  t.teardown(() => speaker.stop());
  await speaker.listen([{ address: us, port }]);
  const pa = speaker.addPeer({ peerAddress: a, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true });
  const pb = speaker.addPeer({ peerAddress: b, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true });
  const first = rawPeer(a, us, port);
  await waitFor(() => pa.state === 'OpenSent', { what: 'the first connection in OpenSent', timeoutMs: 10_000, intervalMs: 5 });
  const second = rawPeer(b, us, port);
  t.equal(await second.ended, 'closed', 'the second connection (a configured peer too) is closed');
  t.same(second.types, [], 'without a byte sent');
  t.equal(pb.state, 'Active', 'and never reached its session');
  first.sock.destroy();
  await waitFor(() => pa.state === 'Active', { what: 'the first connection gone', timeoutMs: 10_000, intervalMs: 5 });
  const third = rawPeer(b, us, port);
  await waitFor(() => pb.state === 'OpenSent', { what: 'room again: the next connection reaches its session', timeoutMs: 10_000, intervalMs: 5 });
  t.pass('once the first closed, a new connection is accepted');
  third.sock.destroy();
});
