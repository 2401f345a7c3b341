/**
 * The BIRD protocol listing parser on real listings (fixtures/bird-protocols/, captured
 * from BIRD 1.6.8 and BIRD 2.0.12):
 *   - *-loopback*: behind bgp-rr on a shared loopback (ReflectorCluster), after a
 *     `birdc reload in` (routes received again, counted as ignored) and withdrawals;
 *   - *-replica-*: nodes of the three-replica fabric (test/reflector/lib/fabric.ts):
 *     rr-1 SIGKILLed (its session down, "Neighbor graceful restart active", paths kept
 *     stale), and rr-1 back but still holding its table (Established, the restart
 *     still active: its paths are still the stale ones). Only sessions Established
 *     with no restart pending are fresh.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { isFresh, parseBirdProtocols, sameSince, type BirdProtocol } from './bird-protocols.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/bird-protocols/${name}`, import.meta.url), 'utf8');
/** The BGP protocols of a listing, one line each. */
const sessions = (text: string): string[] => [...parseBirdProtocols(text).values()].filter((p) => p.proto === 'BGP').map(brief);
const brief = (p: BirdProtocol): string =>
  `${p.name} ${p.neighbor} ${p.state}/${p.info.split(/\s+/)[0]} since ${p.since}${p.grActive ? ' GR' : ''}${isFresh(p) ? ' fresh' : ''}`;

t.test('BIRD 1.6, show protocols all <name>: the statistics belong to the protocol (channel "")', async (t) => {
  const r = parseBirdProtocols(fixture('bird1.6-loopback-all.txt'));
  t.same([...r.keys()], ['Global_127_167_0_1']);
  const p = r.get('Global_127_167_0_1')!;
  t.same([p.proto, p.state, p.since, p.info, p.bgpState], ['BGP', 'up', '23:21:43', 'Established', 'Established']);
  t.same([p.neighbor, p.established, p.grActive], ['127.167.0.1', true, false]);
  t.same([...p.channels.keys()], ['']);
  t.same(p.channels.get(''), {
    imported: 2,
    exported: 1,
    importUpdates: { received: 6, rejected: 0, filtered: 0, ignored: 3, accepted: 3 },
    importWithdraws: { received: 1, rejected: 0, filtered: 0, ignored: 0, accepted: 1 },
    exportUpdates: { received: 5, rejected: 3, filtered: 1, ignored: 0, accepted: 1 },
    exportWithdraws: { received: 1, rejected: 0, filtered: 0, ignored: 0, accepted: 0 },
  }, 'every row; --- read as 0');
});

t.test('BIRD 2, show protocols all: every protocol, statistics per channel', async (t) => {
  const r = parseBirdProtocols(fixture('bird2-loopback-all.txt'));
  t.same([...r.keys()], ['device1', 'direct1', 'static_ipv4', 'Global_127_167_0_1']);
  t.same(r.get('device1')?.channels.size, 0, 'a protocol without channels');
  t.same([...r.get('direct1')!.channels.keys()], ['ipv4', 'ipv6']);
  const p = r.get('Global_127_167_0_1')!;
  t.same([p.proto, p.state, p.since, p.info, p.bgpState], ['BGP', 'up', '23:21:42.565', 'Established', 'Established']);
  t.same([p.neighbor, p.established, p.grActive], ['127.167.0.1', true, false]);
  t.same([r.get('device1')?.neighbor, r.get('device1')?.established], [undefined, false], 'no neighbour, not a session');
  t.same([...p.channels.keys()], ['ipv4', 'ipv6'], 'the capability lists before the channels are no channel');
  const v4 = p.channels.get('ipv4')!;
  const v6 = p.channels.get('ipv6')!;
  t.same([v4.imported, v4.exported, v4.importUpdates, v4.importWithdraws], [1, 1, { received: 6, rejected: 0, filtered: 0, ignored: 3, accepted: 3 }, { received: 2, rejected: 0, filtered: 0, ignored: 0, accepted: 2 }]);
  t.same([v6.imported, v6.exported, v6.importUpdates.received, v6.importUpdates.ignored, v6.importWithdraws.received], [1, 0, 4, 2, 1]);
  t.equal(r.get('static_ipv4')?.channels.get('ipv4')?.importUpdates.accepted, 1);
});

t.test('BIRD 2, show protocols: state lines only', async (t) => {
  const r = parseBirdProtocols(fixture('bird2-loopback.txt'));
  t.same([...r.values()].map((p) => [p.name, p.proto, p.state, p.since, p.info, p.bgpState, p.channels.size]), [
    ['device1', 'Device', 'up', '23:21:41.037', '', undefined, 0],
    ['direct1', 'Direct', 'up', '23:21:41.037', '', undefined, 0],
    ['static_ipv4', 'Static', 'up', '23:21:41.037', '', undefined, 0],
    ['Global_127_167_0_1', 'BGP', 'up', '23:21:42.565', 'Established', undefined, 0],
  ]);
});

t.test('BIRD 1.6: a replica down, its session in graceful restart', async (t) => {
  t.same(sessions(fixture('bird1.6-replica-down.txt')), [
    'Global_10_1_0_1 10.1.0.1 start/Active since 23:09:28 GR',
    'Global_10_1_0_2 10.1.0.2 up/Established since 23:09:25 fresh',
    'Global_10_1_0_3 10.1.0.3 up/Established since 23:09:24 fresh',
  ], 'BGP protocols (device, direct, kernel, static are no session)');
  const r = parseBirdProtocols(fixture('bird1.6-replica-down.txt'));
  t.same([...r.keys()], ['device1', 'direct1', 'kernel1', 'static1', 'Global_10_1_0_1', 'Global_10_1_0_2', 'Global_10_1_0_3'], 'every protocol listed');
  t.same([r.get('Global_10_1_0_1')?.info, r.get('Global_10_1_0_1')?.bgpState], ['Active        Socket: Connection refused', 'Active'], 'the whole info column');
});

t.test('BIRD 1.6: the replica back, Established, its End-of-RIB not yet in', async (t) => {
  t.same(sessions(fixture('bird1.6-replica-restarting.txt')), [
    'Global_10_1_0_1 10.1.0.1 up/Established since 23:11:17 GR',
    'Global_10_1_0_2 10.1.0.2 up/Established since 23:11:12 fresh',
    'Global_10_1_0_3 10.1.0.3 up/Established since 23:11:12 fresh',
  ], 'Established is not fresh while the restart is active');
  t.equal(parseBirdProtocols(fixture('bird1.6-replica-restarting.txt')).get('Global_10_1_0_1')?.established, true);
});

t.test('BIRD 2: both families of each replica, down and restarting', async (t) => {
  t.same(sessions(fixture('bird2-replica-down.txt')), [
    'Global_10_1_0_1 10.1.0.1 start/Active since 23:09:28.419 GR',
    'Global_10_1_0_2 10.1.0.2 up/Established since 23:09:24.973 fresh',
    'Global_10_1_0_3 10.1.0.3 up/Established since 23:09:25.130 fresh',
    'Global_fd00_1__1 fd00:1::1 start/Active since 23:09:28.419 GR',
    'Global_fd00_1__2 fd00:1::2 up/Established since 23:09:24.973 fresh',
    'Global_fd00_1__3 fd00:1::3 up/Established since 23:09:25.130 fresh',
  ]);
  t.same(sessions(fixture('bird2-replica-restarting.txt')), [
    'Global_10_1_0_1 10.1.0.1 up/Established since 23:11:18.158 GR',
    'Global_10_1_0_2 10.1.0.2 up/Established since 23:11:13.237 fresh',
    'Global_10_1_0_3 10.1.0.3 up/Established since 23:11:13.236 fresh',
    'Global_fd00_1__1 fd00:1::1 up/Established since 23:11:18.158 GR',
    'Global_fd00_1__2 fd00:1::2 up/Established since 23:11:13.235 fresh',
    'Global_fd00_1__3 fd00:1::3 up/Established since 23:11:13.236 fresh',
  ]);
  const p = parseBirdProtocols(fixture('bird2-replica-restarting.txt')).get('Global_10_1_0_1')!;
  t.same([...p.channels.keys()], ['ipv4'], '"Long-lived graceful restart" among the capabilities is no restart and no channel');
});

t.test('BIRD 2, plain `show protocols` of a fabric node: state and since, no neighbour', async (t) => {
  // Captured from BIRD 2.0.12 (node-2 of the fabric, rr-2 refusing connections at that moment).
  t.same(sessions(fixture('bird2-replica-refused.txt')), [
    'Global_10_1_0_1 undefined up/Established since 23:07:34.165 fresh',
    'Global_10_1_0_2 undefined start/Active since 23:07:38.182',
  ]);
  t.same(sessions('BIRD 1.6.8 ready.\n'), [], 'nothing listed: no session');
});

t.test('a since column other than a time: read as printed', async (t) => {
  const r = parseBirdProtocols('Global_10_1_0_1 BGP      master   up     Dec07       Established   \nkernel1  Kernel   master   up     2026-12-07 23:09:24    \n');
  t.same([...r.values()].map((p) => [p.name, p.since, p.info, p.established]), [
    ['Global_10_1_0_1', 'Dec07', 'Established', true],
    ['kernel1', '2026-12-07 23:09:24', '', false],
  ]);
});

t.test('sameSince: BIRD 2 milliseconds give or take its clock lag, BIRD 1.6 seconds give or take the one its clocks add', async (t) => {
  t.ok(sameSince('23:11:18.158', '23:11:18.158'));
  t.ok(sameSince('23:21:48.307', '23:21:48.308'), 'BIRD 2: the same instant read 1 ms later (measured)');
  t.ok(sameSince('23:21:48.307', '23:21:48.357'), 'BIRD 2: up to 50 ms');
  t.notOk(sameSince('23:21:48.307', '23:21:48.358'), 'BIRD 2: more is another session');
  t.notOk(sameSince('23:23:19.454', '23:23:23.902'), 'BIRD 2: a bounce (measured: birdc restart)');
  t.ok(sameSince('23:11:17', '23:11:18'), 'BIRD 1.6: the same instant read a second later (measured)');
  t.ok(sameSince('23:59:59', '00:00:00'), 'BIRD 1.6: across midnight');
  t.ok(sameSince('23:59:59.990', '00:00:00.010'), 'BIRD 2: across midnight');
  t.notOk(sameSince('23:11:17', '23:11:19'), 'BIRD 1.6: two seconds apart is another session');
  t.notOk(sameSince('23:11:17', '23:11:17.000'), 'two formats never match');
  t.notOk(sameSince('2026-12-07T23:23:19.754Z', '2026-12-07T23:23:19.755Z'), 'bgp-rr\'s stored times: only equal ones match');
  t.notOk(sameSince('23:11:17', 'Dec07'), 'an unknown format only matches itself');
});

t.test('not a listing: nothing', async (t) => {
  t.same(parseBirdProtocols('BIRD 1.6.8 ready.\nsyntax error, unexpected CF_SYM_UNDEFINED\n').size, 0);
  t.same(parseBirdProtocols('').size, 0);
});
