/**
 * Our speaker against BIRD 1.6 (`bird`), configured as calico/node configures it
 * (docs/calico-datastore.md §4: multihop, add paths on, graceful restart, BIRD's
 * default 240 s hold time, nodes dial the reflector). IPv6 with `bird6`: see
 * speaker-bird1-v6.test.ts.
 */
import t from 'tap';
import { leaseLoopbackBlock, waitFor } from '../harness/index.js';
import { startBird, type Bird, type BirdNeighbor } from '../harness/bird.js';
import type { BirdPath } from '../harness/bird-routes.js';
import { Probe } from './speaker-probe.js';
import { IPV4_UNICAST } from '../../packages/bgp-speaker/src/wire/types.js';
import { parseIpv4 } from '../../packages/bgp-speaker/src/wire/address.js';
import { ipv4Prefix } from '../../packages/bgp-speaker/src/wire/prefix.js';

const AS = 64512;
const calico = (name: string, address: string, over: Partial<BirdNeighbor> = {}): BirdNeighbor => ({
  name,
  address,
  as: AS,
  addPaths: true,
  gracefulRestart: true,
  multihop: true,
  ...over,
});
const ours = (prefix: string, len: number, pathId = 1) => [{ prefix: ipv4Prefix(parseIpv4(prefix), len), pathId }];

t.test('BIRD 1.6 as calico/node dials us: Established, ADD-PATH + GR negotiated, routes and withdrawals both ways, route refresh', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, node] = [block.addr(1), block.addr(2)];
  const probe = new Probe(t);
  await probe.speaker.listen([{ address: us }]);
  const addPath = [{ afi: 1, safi: 1, send: true, receive: true }];
  probe.addPeer({ peerAddress: node, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true, addPath, gracefulRestart: { restartTime: 120, restarting: false, families: [{ afi: 1, safi: 1, forwardingPreserved: false }] } });
  const bird = await startBird(t, { version: '1.6', routerId: node, localAddress: node, localAs: AS, neighbors: [calico('p_rr', us)], static4: ['172.16.1.0/26', '172.16.2.0/26'] });

  await probe.waitState(node, 'Established');
  await bird.waitBgpState('p_rr', 'Established');
  t.match(probe.states, [/Active/, /OpenSent: TCP connection accepted \(peer dialled\)/, /OpenConfirm: OPEN received: hold time 90 s/, /Established/]);
  const n = probe.peer(node).negotiated!;
  t.same(n.addPath, addPath, 'ADD-PATH send and receive for IPv4 unicast (RFC 7911)');
  t.equal(n.gracefulRestart, true, 'graceful restart negotiated (RFC 4724)');
  t.ok(n.peerGracefulRestart && n.peerGracefulRestart.restartTime > 0, 'BIRD restart time received');
  const info = await bird.cli('show protocols all p_rr');
  t.match(info, /Session:\s+internal multihop AS4 add-path-rx add-path-tx/, 'BIRD agrees: internal multihop, ADD-PATH both ways');
  t.match(info, /Neighbor caps:.*restart-able/, 'BIRD sees our GR capability');

  // BIRD → us
  await probe.waitRoute('172.16.1.0/26');
  await probe.waitRoute('172.16.2.0/26');
  t.equal(probe.routes('172.16.1.0/26')[0]!.nextHop, node, 'NEXT_HOP is the node address');
  t.ok(probe.routes('172.16.1.0/26')[0]!.pathId > 0, 'path identifier present (ADD-PATH)');
  await waitFor(() => probe.eors.some((f) => f.afi === 1), { what: 'End-of-RIB for IPv4 unicast' });
  t.pass('End-of-RIB for IPv4 unicast received (RFC 4724 §2)');

  // us → BIRD
  const peer = probe.peer(node);
  t.ok(probe.speaker.sendUpdate(peer, IPV4_UNICAST, { origin: 0, asPath: [], nextHop: parseIpv4(us), localPref: 100 }, [...ours('10.50.0.0', 24), ...ours('10.51.0.0', 24)]));
  probe.speaker.sendEndOfRib(peer, IPV4_UNICAST);
  let routes = await waitForBird(bird, 'protocol p_rr', (r) => r.length === 2);
  t.same(routes.map((r) => r.prefix).sort(), ['10.50.0.0/24', '10.51.0.0/24']);
  t.equal(routes[0]!.attributes['BGP.next_hop'], us);

  // withdrawals both ways
  probe.speaker.sendWithdrawals(peer, IPV4_UNICAST, ours('10.51.0.0', 24));
  routes = await waitForBird(bird, 'protocol p_rr', (r) => r.length === 1);
  t.equal(routes[0]!.prefix, '10.50.0.0/24', 'our withdrawal removed 10.51.0.0/24 at BIRD');
  await bird.cli('disable s4');
  await probe.waitRoute('172.16.1.0/26', false);
  await probe.waitRoute('172.16.2.0/26', false);
  t.pass('BIRD withdrawals removed its routes here');
  await bird.cli('enable s4');
  await probe.waitRoute('172.16.1.0/26');

  // ROUTE-REFRESH (RFC 2918): BIRD asks us; we ask BIRD and it sends its routes again.
  await bird.cli('reload in p_rr');
  await waitFor(() => probe.refreshes.some((r) => r.subtype === 'request' && r.family.afi === 1), { what: 'ROUTE-REFRESH from BIRD' });
  t.pass('BIRD route refresh request received');
  const before = probe.updates;
  probe.speaker.sendRouteRefresh(peer, IPV4_UNICAST);
  await waitFor(() => probe.updates > before, { what: 'BIRD re-advertises after our ROUTE-REFRESH' });
  t.ok(probe.routes('172.16.1.0/26').length > 0, 'routes still there after the refresh');
  t.equal(probe.peer(node).state, 'Established', 'session stayed up');
});

t.test('we dial BIRD 1.6 (passive): Established', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, bird1] = [block.addr(3), block.addr(4)];
  const bird = await startBird(t, { version: '1.6', routerId: bird1, localAddress: bird1, localAs: AS, neighbors: [calico('p_us', us, { passive: true })], static4: ['172.16.9.0/26'] });
  const probe = new Probe(t);
  probe.addPeer({ peerAddress: bird1, localAddress: us, localAs: AS, peerAs: AS, routerId: us, connectRetrySeconds: 1 });
  await probe.waitState(bird1, 'Established');
  t.match(probe.states, [/Connect: ManualStart/, /OpenSent: TCP connection established \(we dialled\)/]);
  await bird.waitBgpState('p_us', 'Established');
  await probe.waitRoute('172.16.9.0/26');
  t.equal(probe.peer(bird1).localEndpoint?.startsWith(`${us}:`), true, 'dialled from the chosen local address');
});

t.test('hold timer expiry noticed when BIRD 1.6 is frozen (SIGSTOP): NOTIFICATION 4/0, reason "hold timer expired"', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, node] = [block.addr(5), block.addr(6)];
  const probe = new Probe(t);
  await probe.speaker.listen([{ address: us }]);
  probe.addPeer({ peerAddress: node, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true, holdTime: 3 });
  const bird = await startBird(t, { version: '1.6', routerId: node, localAddress: node, localAs: AS, neighbors: [calico('p_rr', us, { holdTime: 6 })] });
  await probe.waitState(node, 'Established');
  t.equal(probe.peer(node).negotiated?.holdTime, 3, 'the smaller hold time wins (RFC 4271 §4.2)');
  bird.freeze();
  t.teardown(() => bird.thaw());
  const n = await probe.waitNotification('sent', 4, 0);
  t.match(n.text, /Hold Timer Expired/);
  await waitFor(() => probe.states.some((s) => s === 'Idle: hold timer expired'), { what: 'Idle with reason' });
  t.match(probe.peer(node).stats.lastError, /hold timer expired/);
  bird.thaw();
});

t.test('wrong peer AS: BIRD 1.6 is refused with NOTIFICATION 2/2, and refuses us with 2/2', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, node] = [block.addr(7), block.addr(8)];
  const probe = new Probe(t);
  await probe.speaker.listen([{ address: us }]);
  // We expect AS 65099; BIRD is AS 64512 and expects us to be 64512.
  probe.addPeer({ peerAddress: node, localAddress: us, localAs: AS, peerAs: 65099, routerId: us, passive: true });
  const bird = await startBird(t, { version: '1.6', routerId: node, localAddress: node, localAs: AS, neighbors: [calico('p_rr', us)] });
  const sent = await probe.waitNotification('sent', 2, 2);
  t.match(sent.text, /Bad Peer AS/);
  t.not(probe.peer(node).state, 'Established');
  await waitFor(() => /p_rr: Received: Bad peer AS/i.test(bird.proc.output), { what: 'BIRD logs our Bad peer AS' });
  t.pass('BIRD logged our 2/2');

  // The other way: BIRD expects AS 65099 from us.
  const [us2, node2] = [block.addr(9), block.addr(10)];
  const probe2 = new Probe(t);
  probe2.addPeer({ peerAddress: node2, localAddress: us2, localAs: AS, peerAs: AS, routerId: us2, connectRetrySeconds: 1 });
  await startBird(t, { version: '1.6', routerId: node2, localAddress: node2, localAs: AS, neighbors: [calico('p_rr', us2, { as: 65099, passive: true })] });
  const received = await probe2.waitNotification('received', 2, 2);
  t.match(received.text, /OPEN Message Error \/ Bad Peer AS \(2\/2\)/);
});

async function waitForBird(bird: Bird, args: string, ok: (r: BirdPath[]) => boolean): Promise<BirdPath[]> {
  return waitFor(async () => {
    const r = await bird.routes(args);
    return ok(r) ? r : null;
  }, { what: `BIRD routes (${args})` });
}
