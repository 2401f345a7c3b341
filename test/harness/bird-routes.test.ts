/**
 * The BIRD route parser on real listings (fixtures/bird-routes/, captured from BIRD
 * 1.6.8 and BIRD 2.0.12 behind bgp-rr): in network namespaces (test/reflector/lib
 * Fabric: three replicas, so three ADD-PATH paths per block, gateways resolved, IPv4
 * and IPv6) and on a shared loopback (ReflectorCluster: one replica, next hops local so
 * BIRD shows "unreachable"; a service CIDR announced by two nodes).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { birdPathList, birdRoutesOfFamily, nextHops, parseBirdRoutes, type BirdPath } from './bird-routes.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/bird-routes/${name}`, import.meta.url), 'utf8');

/** The fields that say where a path goes and who reflected it. */
const brief = (p: BirdPath) => ({ protocol: p.protocol, from: p.from, primary: p.primary, dest: p.dest, gateways: p.gateways, nextHop: p.nextHop, originatorId: p.originatorId, clusterList: p.clusterList });

t.test('BIRD 1.6, show route all: three paths per block (one per replica), attributes to the path above them', async (t) => {
  const r = parseBirdRoutes(fixture('bird1.6-netns-ipv4-all.txt'));
  t.same([...r.keys()], ['172.16.2.0/24', '172.16.3.0/24']);
  const paths = r.get('172.16.2.0/24')!;
  t.same(paths.map(brief), [1, 2, 3].map((i) => ({
    protocol: `Global_10_1_0_${i}`, from: `10.1.0.${i}`, primary: i === 1, dest: 'via', gateways: ['10.1.1.2'],
    nextHop: '10.1.1.2', originatorId: '10.1.1.2', clusterList: ['244.0.0.1'],
  })));
  const p = paths[0]!;
  t.same([p.prefix, p.type, p.origin, p.asPath, p.localPref, p.communities], ['172.16.2.0/24', 'BGP unicast univ', 'IGP', [], 100, []]);
  t.same(p.attributes, {
    Type: 'BGP unicast univ', 'BGP.origin': 'IGP', 'BGP.as_path': '', 'BGP.next_hop': '10.1.1.2',
    'BGP.local_pref': '100', 'BGP.originator_id': '10.1.1.2', 'BGP.cluster_list': '244.0.0.1',
  }, 'every attribute line as printed');
  t.same(nextHops(r, '172.16.3.0/24'), ['10.1.1.3', '10.1.1.3', '10.1.1.3']);
  t.same(nextHops(r, '172.16.9.0/24'), [], 'no path, no next hop');
});

t.test('BIRD 1.6 (bird6), IPv6', async (t) => {
  const r = parseBirdRoutes(fixture('bird1.6-netns-ipv6-all.txt'));
  t.same([...r.keys()], ['fd10::300/120', 'fd10::200/120']);
  t.same(r.get('fd10::300/120')!.map(brief)[2], {
    protocol: 'Global_fd00_1__3', from: 'fd00:1::3', primary: false, dest: 'via', gateways: ['fd00:1::103'],
    nextHop: 'fd00:1::103', originatorId: '10.1.1.3', clusterList: ['244.0.0.1'],
  });
});

t.test('BIRD 1.6 without `all`: the same paths, no attributes', async (t) => {
  const r = parseBirdRoutes(fixture('bird1.6-netns-ipv4.txt'));
  t.same([...r].map(([prefix, paths]) => [prefix, paths.map((p) => [p.from, p.primary, p.gateways])]), [
    ['172.16.2.0/24', [['10.1.0.1', true, ['10.1.1.2']], ['10.1.0.2', false, ['10.1.1.2']], ['10.1.0.3', false, ['10.1.1.2']]]],
    ['172.16.3.0/24', [['10.1.0.1', true, ['10.1.1.3']], ['10.1.0.2', false, ['10.1.1.3']], ['10.1.0.3', false, ['10.1.1.3']]]],
  ]);
  t.same(birdPathList(r).map((p) => [p.type, p.nextHop, p.clusterList]), Array(6).fill([undefined, undefined, []]));
});

t.test('BIRD 1.6, every protocol: device and static routes beside BGP', async (t) => {
  const r = parseBirdRoutes(fixture('bird1.6-netns-ipv4-everything.txt'));
  t.same([...r.keys()], ['10.1.0.0/16', '172.16.1.0/24', '172.16.2.0/24', '172.16.3.0/24']);
  t.same(r.get('10.1.0.0/16')!.map((p) => [p.protocol, p.from, p.dest, p.gateways, p.type]), [['direct1', undefined, 'dev', [], 'device unicast univ']]);
  t.same(r.get('172.16.1.0/24')!.map((p) => [p.protocol, p.dest, p.primary, p.nextHop]), [['static1', 'blackhole', true, undefined]]);
  t.equal(r.get('172.16.3.0/24')!.length, 3);
});

t.test('BIRD 1.6 on a shared loopback: "unreachable" paths, the BGP NEXT_HOP tells whose block', async (t) => {
  const r = parseBirdRoutes(fixture('bird1.6-loopback-all.txt'));
  t.same([...r.keys()], ['10.96.0.0/12', '172.16.4.0/24', '172.16.3.0/24']);
  t.same(r.get('10.96.0.0/12')!.map(brief), [{
    protocol: 'Global_127_132_0_1', from: '127.132.0.1', primary: false, dest: 'unreachable', gateways: [],
    nextHop: '127.132.0.4', originatorId: '127.132.0.4', clusterList: ['244.0.0.1'],
  }], 'not BIRD\'s best: its own static route is (listed with `where source = RTS_BGP` filtered out)');
  t.same(nextHops(r, '172.16.3.0/24'), ['127.132.0.3']);

  const all = parseBirdRoutes(fixture('bird1.6-loopback-everything.txt'));
  t.same(all.get('10.96.0.0/12')!.map((p) => [p.protocol, p.dest, p.primary, p.nextHop]), [
    ['static1', 'blackhole', true, undefined],
    ['Global_127_132_0_1', 'unreachable', false, '127.132.0.4'],
  ], 'a static and a BGP path of one prefix');
});

t.test('BIRD 2, show route all: both tables in one listing, the gateway on its own line', async (t) => {
  const r = parseBirdRoutes(fixture('bird2-netns-all.txt'));
  t.same([...r.keys()], ['172.16.3.0/24', '172.16.1.0/24', 'fd10::100/120', 'fd10::300/120']);
  t.same(r.get('172.16.3.0/24')!.map(brief), [1, 2, 3].map((i) => ({
    protocol: `Global_10_1_0_${i}`, from: `10.1.0.${i}`, primary: i === 1, dest: 'unicast', gateways: ['10.1.1.3'],
    nextHop: '10.1.1.3', originatorId: '10.1.1.3', clusterList: ['244.0.0.1'],
  })));
  t.equal(r.get('172.16.3.0/24')![0]!.type, 'BGP univ');
  t.same(r.get('fd10::100/120')!.map(brief)[0], {
    protocol: 'Global_fd00_1__1', from: 'fd00:1::1', primary: true, dest: 'unicast', gateways: ['fd00:1::101'],
    nextHop: 'fd00:1::101', originatorId: '10.1.1.1', clusterList: ['244.0.0.1'],
  });
  t.same([...birdRoutesOfFamily(r, 4).keys()], ['172.16.3.0/24', '172.16.1.0/24'], 'IPv4 only');
  t.same([...birdRoutesOfFamily(r, 6).keys()], ['fd10::100/120', 'fd10::300/120'], 'IPv6 only');
});

t.test('BIRD 2 without `all`, and with every protocol', async (t) => {
  const plain = parseBirdRoutes(fixture('bird2-netns.txt'));
  t.same([...plain].map(([prefix, paths]) => [prefix, paths.map((p) => p.gateways[0])]), [
    ['172.16.3.0/24', ['10.1.1.3', '10.1.1.3', '10.1.1.3']],
    ['172.16.1.0/24', ['10.1.1.1', '10.1.1.1', '10.1.1.1']],
    ['fd10::100/120', ['fd00:1::101', 'fd00:1::101', 'fd00:1::101']],
    ['fd10::300/120', ['fd00:1::103', 'fd00:1::103', 'fd00:1::103']],
  ]);
  const all = parseBirdRoutes(fixture('bird2-netns-everything.txt'));
  t.same(all.get('172.16.2.0/24')!.map((p) => [p.protocol, p.dest, p.gateways, p.type]), [['static_ipv4', 'blackhole', [], 'static univ']]);
  t.same(all.get('10.1.0.0/16')!.map((p) => [p.protocol, p.dest, p.gateways, p.type]), [['direct1', 'unicast', [], 'device univ']], 'a `dev` line is no gateway');
  t.equal(birdPathList(all).length, 16);
});

t.test('BIRD 2 on a shared loopback: two paths of a service CIDR over one session (ADD-PATH)', async (t) => {
  const r = parseBirdRoutes(fixture('bird2-loopback-all.txt'));
  t.same(r.get('10.96.0.0/12')!.map(brief), ['127.132.0.2', '127.132.0.4'].map((nh, i) => ({
    protocol: 'Global_127_132_0_1', from: '127.132.0.1', primary: i === 0, dest: 'unreachable', gateways: [],
    nextHop: nh, originatorId: nh, clusterList: ['244.0.0.1'],
  })));
});

t.test('the control socket\'s reply, codes stripped as birdc and bench/lib/birdctl.mjs strip them, parses the same', async (t) => {
  // BIRD's CLI protocol: "DDDD-text" (more follows), "DDDD text" (last), " text" (same code continued).
  const lines = fixture('bird2-loopback-all.socket.txt').split('\n').flatMap((l) => {
    const m = /^(\d{4})[- ](.*)$/.exec(l);
    if (m) return m[1] === '0000' ? [] : [m[2]!];
    return l.startsWith(' ') ? [l.slice(1)] : [];
  });
  t.same(parseBirdRoutes(lines.join('\n')), parseBirdRoutes(fixture('bird2-loopback-all.txt')));
});

t.test('an IPv6 NEXT_HOP printed as "global link-local" gives the global one (as BIRD prints it for a direct session)', async (t) => {
  const text = ['Table master6:', 'fd00:10::/122        unicast [p1 10:47:17.123 from fd00::1] * (100) [i]', '\tvia fd00::12 on eth0', '\tBGP.next_hop: fd00::12 fe80::1', ''].join('\n');
  t.same(nextHops(parseBirdRoutes(text), 'fd00:10::/122'), ['fd00::12']);
  t.equal(parseBirdRoutes(text).get('fd00:10::/122')![0]!.attributes['BGP.next_hop'], 'fd00::12 fe80::1', 'as printed in attributes');
});

t.test('what is not a route listing gives no routes', async (t) => {
  t.same([...parseBirdRoutes('BIRD 1.6.8 ready.\nsyntax error, unexpected CF_SYM_UNDEFINED\n').keys()], []);
  t.same([...parseBirdRoutes('BIRD 2.0.12 ready.\nNetwork not found\n').keys()], []);
  t.same([...parseBirdRoutes('').keys()], []);
});
