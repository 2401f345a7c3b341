/**
 * Our speaker against GoBGP (gobgpd 3.x): both dialling directions, IPv4 and IPv6 unicast
 * on one session, withdrawals, ADD-PATH and graceful restart negotiation, ROUTE-REFRESH
 * both ways, hold timer expiry (SIGSTOP), and a wrong peer AS.
 */
import t from 'tap';
import { leaseLoopbackBlock, waitFor } from '../harness/index.js';
import { startGobgp, type Gobgp, type GobgpFamily, type GobgpPath } from '../harness/gobgp.js';
import { Probe } from './speaker-probe.js';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../packages/bgp-speaker/src/wire/types.js';
import { parseIpv4, parseIpv6 } from '../../packages/bgp-speaker/src/wire/address.js';
import { ipv4Prefix, ipv6Prefix } from '../../packages/bgp-speaker/src/wire/prefix.js';

const AS = 64512;
const BOTH = [IPV4_UNICAST, IPV6_UNICAST];
const FAMILIES: GobgpFamily[] = ['ipv4-unicast', 'ipv6-unicast'];
// GoBGP refuses loopback next hops (treat-as-withdraw), so routes carry these.
const NH4 = '10.255.0.1';
const NH6 = 'fd00::1';

const ribWith = (g: Gobgp, family: GobgpFamily, ok: (r: GobgpPath[]) => boolean): Promise<GobgpPath[]> =>
  waitFor(async () => {
    const r = await g.rib(family);
    return ok(r) ? r : null;
  }, { what: `gobgpd ${family} RIB` });

t.test('gobgpd dials us: IPv4 + IPv6 routes both ways, withdrawals, ADD-PATH, GR, our ROUTE-REFRESH answered', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, gb] = [block.addr(1), block.addr(2)];
  const probe = new Probe(t);
  await probe.speaker.listen([{ address: us }]);
  const addPath = BOTH.map((f) => ({ ...f, send: true, receive: true }));
  probe.addPeer({ peerAddress: gb, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true, families: BOTH, addPath, gracefulRestart: { restartTime: 120, restarting: false, families: BOTH.map((f) => ({ ...f, forwardingPreserved: false })) } });
  const g = await startGobgp(t, { as: AS, routerId: gb, localAddress: gb, neighbors: [{ address: us, as: AS, families: FAMILIES, addPaths: true, gracefulRestart: true }] });
  await g.addRoute('ipv4-unicast', '172.16.7.0/26', '10.255.0.2');
  await g.addRoute('ipv6-unicast', 'fd00:7::/48', 'fd00::2');

  await probe.waitState(gb, 'Established');
  await g.waitEstablished(us);
  const n = probe.peer(gb).negotiated!;
  t.same(n.families, BOTH);
  t.same(n.addPath, addPath, 'ADD-PATH both ways (RFC 7911)');
  t.equal(n.gracefulRestart, true, 'graceful restart (RFC 4724)');

  await probe.waitRoute('172.16.7.0/26');
  await probe.waitRoute('fd00:7::/48');
  t.equal(probe.routes('172.16.7.0/26')[0]!.nextHop, '10.255.0.2');
  t.equal(probe.routes('fd00:7::/48')[0]!.nextHop, 'fd00::2');

  const peer = probe.peer(gb);
  const v4 = [{ prefix: ipv4Prefix(parseIpv4('10.80.0.0'), 24), pathId: 1 }];
  const v6 = [{ prefix: ipv6Prefix(parseIpv6('fd00:80::'), 48), pathId: 1 }];
  probe.speaker.sendUpdate(peer, IPV4_UNICAST, { origin: 0, asPath: [], nextHop: parseIpv4(NH4), localPref: 100 }, v4);
  probe.speaker.sendUpdate(peer, IPV6_UNICAST, { origin: 0, asPath: [], localPref: 100 }, v6, parseIpv6(NH6));
  const r4 = await ribWith(g, 'ipv4-unicast', (r) => r.some((p) => p.prefix === '10.80.0.0/24'));
  t.equal(r4.find((p) => p.prefix === '10.80.0.0/24')!.nextHop, NH4);
  await ribWith(g, 'ipv6-unicast', (r) => r.some((p) => p.prefix === 'fd00:80::/48'));
  t.pass('gobgpd has our IPv6 route');

  probe.speaker.sendWithdrawals(peer, IPV4_UNICAST, v4);
  probe.speaker.sendWithdrawals(peer, IPV6_UNICAST, v6);
  await ribWith(g, 'ipv4-unicast', (r) => !r.some((p) => p.prefix === '10.80.0.0/24'));
  await ribWith(g, 'ipv6-unicast', (r) => !r.some((p) => p.prefix === 'fd00:80::/48'));
  t.pass('our withdrawals reached gobgpd');
  await g.deleteRoute('ipv4-unicast', '172.16.7.0/26');
  await g.deleteRoute('ipv6-unicast', 'fd00:7::/48');
  await probe.waitRoute('172.16.7.0/26', false);
  await probe.waitRoute('fd00:7::/48', false);
  t.pass('gobgpd withdrawals reached us');

  await g.addRoute('ipv4-unicast', '172.16.8.0/26', '10.255.0.2');
  await probe.waitRoute('172.16.8.0/26');
  // (gobgp softresetin re-applies policy to its stored Adj-RIB-In and sends no ROUTE-REFRESH;
  // BIRD's `reload in` covers that direction in speaker-bird*.test.ts.)
  const before = probe.updates;
  probe.speaker.sendRouteRefresh(peer, IPV4_UNICAST);
  await waitFor(() => probe.updates > before, { what: 'gobgpd re-sends after our ROUTE-REFRESH' });
  t.equal(probe.peer(gb).state, 'Established');
});

t.test('we dial gobgpd (passive): Established', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, gb] = [block.addr(3), block.addr(4)];
  const g = await startGobgp(t, { as: AS, routerId: gb, localAddress: gb, neighbors: [{ address: us, as: AS, passive: true }] });
  const probe = new Probe(t);
  probe.addPeer({ peerAddress: gb, localAddress: us, localAs: AS, peerAs: AS, routerId: us, connectRetrySeconds: 1 });
  await probe.waitState(gb, 'Established');
  await g.waitEstablished(us);
  t.match(probe.states, [/Connect/, /we dialled/]);
});

t.test('hold timer expiry noticed when gobgpd is frozen (SIGSTOP)', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, gb] = [block.addr(5), block.addr(6)];
  const probe = new Probe(t);
  await probe.speaker.listen([{ address: us }]);
  probe.addPeer({ peerAddress: gb, localAddress: us, localAs: AS, peerAs: AS, routerId: us, passive: true, holdTime: 3 });
  const g = await startGobgp(t, { as: AS, routerId: gb, localAddress: gb, neighbors: [{ address: us, as: AS, holdTime: 9 }] });
  await probe.waitState(gb, 'Established');
  t.equal(probe.peer(gb).negotiated?.holdTime, 3);
  g.freeze();
  t.teardown(() => g.thaw());
  await probe.waitNotification('sent', 4, 0);
  await waitFor(() => probe.states.includes('Idle: hold timer expired'), { what: 'Idle: hold timer expired' });
  t.pass('hold timer expired');
  g.thaw();
});

t.test('wrong peer AS with gobgpd: NOTIFICATION 2/2 both ways', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, gb] = [block.addr(7), block.addr(8)];
  const probe = new Probe(t);
  await probe.speaker.listen([{ address: us }]);
  probe.addPeer({ peerAddress: gb, localAddress: us, localAs: AS, peerAs: 65099, routerId: us, passive: true });
  await startGobgp(t, { as: AS, routerId: gb, localAddress: gb, neighbors: [{ address: us, as: AS }] });
  await probe.waitNotification('sent', 2, 2);
  t.pass('we refused gobgpd with 2/2');

  const [us2, gb2] = [block.addr(9), block.addr(10)];
  const probe2 = new Probe(t);
  probe2.addPeer({ peerAddress: gb2, localAddress: us2, localAs: AS, peerAs: AS, routerId: us2, connectRetrySeconds: 1 });
  await startGobgp(t, { as: AS, routerId: gb2, localAddress: gb2, neighbors: [{ address: us2, as: 65099, passive: true }] });
  const n = await probe2.waitNotification('received', 2, 2);
  t.match(n.text, /Bad Peer AS/);
});
