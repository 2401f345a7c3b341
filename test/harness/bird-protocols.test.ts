/**
 * The BIRD protocol listing parser on real listings (fixtures/bird-protocols/, captured
 * from BIRD 1.6.8 and BIRD 2.0.12 behind bgp-rr on a shared loopback, ReflectorCluster):
 * after a `birdc reload in` (routes received again, counted as ignored) and withdrawals.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseBirdProtocols } from './bird-protocols.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/bird-protocols/${name}`, import.meta.url), 'utf8');

t.test('BIRD 1.6, show protocols all <name>: the statistics belong to the protocol (channel "")', async (t) => {
  const r = parseBirdProtocols(fixture('bird1.6-loopback-all.txt'));
  t.same([...r.keys()], ['Global_127_167_0_1']);
  const p = r.get('Global_127_167_0_1')!;
  t.same([p.proto, p.state, p.since, p.info, p.bgpState], ['BGP', 'up', '23:21:43', 'Established', 'Established']);
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

t.test('not a listing: nothing', async (t) => {
  t.same(parseBirdProtocols('BIRD 1.6.8 ready.\nsyntax error, unexpected CF_SYM_UNDEFINED\n').size, 0);
  t.same(parseBirdProtocols('').size, 0);
});
