/**
 * Our speaker against BIRD 2 (the Debian bird2 build unpacked in .cache/bird2), with the
 * calico/node settings (multihop, add paths on, graceful restart, default hold time) and
 * both IPv4 and IPv6 unicast channels on one IPv4 session (RFC 4760 MP_REACH_NLRI).
 */
import t from 'tap';
import { leaseLoopbackBlock, waitFor } from '../harness/index.js';
import { startBird, type Bird, type BirdNeighbor } from '../harness/bird.js';
import type { BirdPath } from '../harness/bird-routes.js';
import { Probe } from './speaker-probe.js';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../packages/bgp-speaker/src/wire/types.js';
import { parseIpv4, parseIpv6 } from '../../packages/bgp-speaker/src/wire/address.js';
import { ipv4Prefix, ipv6Prefix } from '../../packages/bgp-speaker/src/wire/prefix.js';

const AS = 64512;
const BOTH = [IPV4_UNICAST, IPV6_UNICAST];
const calico = (name: string, address: string, over: Partial<BirdNeighbor> = {}): BirdNeighbor => ({
  name,
  address,
  as: AS,
  addPaths: true,
  gracefulRestart: true,
  multihop: true,
  families: ['ipv4', 'ipv6'],
  ipv6NextHop: 'fd00::2',
  ...over,
});
const birdRoutes = (bird: Bird, ok: (r: BirdPath[]) => boolean): Promise<BirdPath[]> =>
  waitFor(async () => {
    const r = await bird.routes('protocol p_rr');
    return ok(r) ? r : null;
  }, { what: 'BIRD 2 routes from us' });

t.test('BIRD 2 as calico/node dials us: IPv4 and IPv6 routes both ways, withdrawals, ADD-PATH, GR, route refresh', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, node] = [block.addr(1), block.addr(2)];
  const probe = new Probe(t);
  await probe.speaker.listen([{ address: us }]);
  const addPath = BOTH.map((f) => ({ ...f, send: true, receive: true }));
  probe.addPeer({ peerAddress: node, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true, families: BOTH, addPath, gracefulRestart: { restartTime: 120, restarting: false, families: BOTH.map((f) => ({ ...f, forwardingPreserved: false })) } });
  const bird = await startBird(t, { version: '2', routerId: node, localAddress: node, localAs: AS, neighbors: [calico('p_rr', us)], static4: ['172.16.3.0/26'], static6: ['fd00:3::/48'] });

  await probe.waitState(node, 'Established');
  await bird.waitBgpState('p_rr', 'Established');
  const n = probe.peer(node).negotiated!;
  t.same(n.families, BOTH, 'IPv4 and IPv6 unicast negotiated');
  t.same(n.addPath, addPath, 'ADD-PATH both ways for both families');
  t.equal(n.holdTime, 90, 'our 90 s against BIRD 2 default 240 s: the smaller wins');
  t.equal(n.gracefulRestart, true);
  const info = await bird.cli('show protocols all p_rr');
  t.match(info, /Neighbor capabilities[\s\S]*ADD-PATH[\s\S]*RX: ipv4 ipv6[\s\S]*TX: ipv4 ipv6/, 'BIRD 2 sees our ADD-PATH');
  t.match(info, /Neighbor capabilities[\s\S]*Graceful restart/, 'BIRD 2 sees our graceful restart');

  await probe.waitRoute('172.16.3.0/26');
  await probe.waitRoute('fd00:3::/48');
  t.equal(probe.routes('fd00:3::/48')[0]!.nextHop, 'fd00::2', 'IPv6 next hop from MP_REACH_NLRI');
  await waitFor(() => probe.eors.length >= 2, { what: 'End-of-RIB for both families' });

  const peer = probe.peer(node);
  probe.speaker.sendUpdate(peer, IPV4_UNICAST, { origin: 0, asPath: [], nextHop: parseIpv4(us), localPref: 100 }, [{ prefix: ipv4Prefix(parseIpv4('10.60.0.0'), 24), pathId: 1 }]);
  const v6 = [{ prefix: ipv6Prefix(parseIpv6('fd00:60::'), 48), pathId: 1 }];
  probe.speaker.sendUpdate(peer, IPV6_UNICAST, { origin: 0, asPath: [], localPref: 100 }, v6, parseIpv6('fd00::1'));
  const got = await birdRoutes(bird, (r) => r.length === 2);
  t.same(got.map((r) => r.prefix).sort(), ['10.60.0.0/24', 'fd00:60::/48']);

  probe.speaker.sendWithdrawals(peer, IPV6_UNICAST, v6);
  await birdRoutes(bird, (r) => r.length === 1 && r[0]!.prefix === '10.60.0.0/24');
  t.pass('IPv6 withdrawal (MP_UNREACH_NLRI) removed our route at BIRD 2');
  await bird.cli('disable s6');
  await probe.waitRoute('fd00:3::/48', false);
  t.pass('BIRD 2 IPv6 withdrawal seen');

  await bird.cli('reload in p_rr');
  await waitFor(() => probe.refreshes.some((r) => r.subtype === 'request'), { what: 'ROUTE-REFRESH from BIRD 2' });
  const before = probe.updates;
  probe.speaker.sendRouteRefresh(peer, IPV4_UNICAST);
  await waitFor(() => probe.updates > before, { what: 'BIRD 2 re-advertises after our ROUTE-REFRESH' });
  t.equal(probe.peer(node).state, 'Established');
});

t.test('we dial BIRD 2 (passive): Established', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, b2] = [block.addr(3), block.addr(4)];
  const bird = await startBird(t, { version: '2', routerId: b2, localAddress: b2, localAs: AS, neighbors: [calico('p_us', us, { passive: true })], static4: ['172.16.4.0/26'] });
  const probe = new Probe(t);
  probe.addPeer({ peerAddress: b2, localAddress: us, localAs: AS, peerAs: AS, routerId: us, families: BOTH, connectRetrySeconds: 1 });
  await probe.waitState(b2, 'Established');
  await bird.waitBgpState('p_us', 'Established');
  await probe.waitRoute('172.16.4.0/26');
  t.match(probe.states, [/Connect/, /we dialled/]);
});

t.test('hold timer expiry noticed when BIRD 2 is frozen (SIGSTOP)', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, node] = [block.addr(5), block.addr(6)];
  const probe = new Probe(t);
  await probe.speaker.listen([{ address: us }]);
  probe.addPeer({ peerAddress: node, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true, holdTime: 3 });
  const bird = await startBird(t, { version: '2', routerId: node, localAddress: node, localAs: AS, neighbors: [calico('p_rr', us, { families: ['ipv4'] })] });
  await probe.waitState(node, 'Established');
  bird.freeze();
  t.teardown(() => bird.thaw());
  await probe.waitNotification('sent', 4, 0);
  await waitFor(() => probe.states.includes('Idle: hold timer expired'), { what: 'Idle: hold timer expired' });
  t.pass('hold timer expired, NOTIFICATION 4/0 sent');
  bird.thaw();
});

t.test('wrong peer AS with BIRD 2: NOTIFICATION 2/2 both ways', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, node] = [block.addr(7), block.addr(8)];
  const probe = new Probe(t);
  await probe.speaker.listen([{ address: us }]);
  probe.addPeer({ peerAddress: node, localAddress: us, localAs: AS, peerAs: 65099, routerId: us, passive: true });
  const bird = await startBird(t, { version: '2', routerId: node, localAddress: node, localAs: AS, neighbors: [calico('p_rr', us, { families: ['ipv4'] })] });
  await probe.waitNotification('sent', 2, 2);
  await waitFor(() => /p_rr: Received: Bad peer AS/i.test(bird.proc.output), { what: 'BIRD 2 logs our Bad peer AS' });
  t.pass('we refused BIRD 2 with 2/2');
  const [us2, node2] = [block.addr(9), block.addr(10)];
  const probe2 = new Probe(t);
  probe2.addPeer({ peerAddress: node2, localAddress: us2, localAs: AS, peerAs: AS, routerId: us2, connectRetrySeconds: 1 });
  await startBird(t, { version: '2', routerId: node2, localAddress: node2, localAs: AS, neighbors: [calico('p_rr', us2, { as: 65099, passive: true, families: ['ipv4'] })] });
  const n = await probe2.waitNotification('received', 2, 2);
  t.match(n.text, /Bad Peer AS/);
});
