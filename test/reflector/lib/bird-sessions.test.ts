/**
 * The `show protocols all` parser on real listings (fixtures/bird-protocols/, captured
 * from BIRD 1.6.8 and BIRD 2.0.12 nodes of the three-replica fabric): rr-1 SIGKILLed
 * (its session down, "Neighbor graceful restart active", paths kept stale), and rr-1
 * back but still holding its table (Established, the restart still active: its paths
 * are still the stale ones). Only sessions Established with no restart pending are
 * fresh.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { isFresh, parseBirdProtocols, sameSince, type BirdSession } from './bird-sessions.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/bird-protocols/${name}`, import.meta.url), 'utf8');
const brief = (s: BirdSession): string => `${s.protocol} ${s.neighbor} ${s.state}/${s.info} since ${s.since}${s.grActive ? ' GR' : ''}${isFresh(s) ? ' fresh' : ''}`;

t.test('BIRD 1.6: a replica down, its session in graceful restart', async (t) => {
  t.same(parseBirdProtocols(fixture('bird1.6-replica-down.txt')).map(brief), [
    'Global_10_1_0_1 10.1.0.1 start/Active since 23:09:28 GR',
    'Global_10_1_0_2 10.1.0.2 up/Established since 23:09:25 fresh',
    'Global_10_1_0_3 10.1.0.3 up/Established since 23:09:24 fresh',
  ], 'BGP protocols only (device, direct, kernel, static left out)');
});

t.test('BIRD 1.6: the replica back, Established, its End-of-RIB not yet in', async (t) => {
  t.same(parseBirdProtocols(fixture('bird1.6-replica-restarting.txt')).map(brief), [
    'Global_10_1_0_1 10.1.0.1 up/Established since 23:11:17 GR',
    'Global_10_1_0_2 10.1.0.2 up/Established since 23:11:12 fresh',
    'Global_10_1_0_3 10.1.0.3 up/Established since 23:11:12 fresh',
  ], 'Established is not fresh while the restart is active');
});

t.test('BIRD 2: both families of each replica, down and restarting', async (t) => {
  t.same(parseBirdProtocols(fixture('bird2-replica-down.txt')).map(brief), [
    'Global_10_1_0_1 10.1.0.1 start/Active since 23:09:28.419 GR',
    'Global_10_1_0_2 10.1.0.2 up/Established since 23:09:24.973 fresh',
    'Global_10_1_0_3 10.1.0.3 up/Established since 23:09:25.130 fresh',
    'Global_fd00_1__1 fd00:1::1 start/Active since 23:09:28.419 GR',
    'Global_fd00_1__2 fd00:1::2 up/Established since 23:09:24.973 fresh',
    'Global_fd00_1__3 fd00:1::3 up/Established since 23:09:25.130 fresh',
  ]);
  t.same(parseBirdProtocols(fixture('bird2-replica-restarting.txt')).map(brief), [
    'Global_10_1_0_1 10.1.0.1 up/Established since 23:11:18.158 GR',
    'Global_10_1_0_2 10.1.0.2 up/Established since 23:11:13.237 fresh',
    'Global_10_1_0_3 10.1.0.3 up/Established since 23:11:13.236 fresh',
    'Global_fd00_1__1 fd00:1::1 up/Established since 23:11:18.158 GR',
    'Global_fd00_1__2 fd00:1::2 up/Established since 23:11:13.235 fresh',
    'Global_fd00_1__3 fd00:1::3 up/Established since 23:11:13.236 fresh',
  ]);
});

t.test('plain `show protocols` (no details): state and since, no neighbour', async (t) => {
  // Captured from BIRD 2.0.12 (node-2 of the fabric, replicas all up).
  const text = [
    'BIRD 2.0.12 ready.',
    'Name       Proto      Table      State  Since         Info',
    'device1    Device     ---        up     23:07:33.623  ',
    'static_ipv4 Static     master4    up     23:07:33.623  ',
    'Global_10_1_0_1 BGP        ---        up     23:07:34.165  Established   ',
    'Global_10_1_0_2 BGP        ---        start  23:07:38.182  Active        Socket: Connection refused',
    '',
  ].join('\n');
  t.same(parseBirdProtocols(text).map(brief), [
    'Global_10_1_0_1 undefined up/Established since 23:07:34.165 fresh',
    'Global_10_1_0_2 undefined start/Active since 23:07:38.182',
  ]);
  t.same(parseBirdProtocols('BIRD 1.6.8 ready.\n'), [], 'nothing listed: no session');
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
