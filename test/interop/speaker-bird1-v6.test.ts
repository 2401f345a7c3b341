/**
 * IPv6 unicast with BIRD 1.6's `bird6`, as calico/node runs it, against the
 * `bgp-speaker session` tool. bird6 refuses ::1 as a NEXT_HOP ("Invalid NEXT_HOP"), so
 * both run in a network namespace of their own with fd00:: addresses on its lo.
 */
import t from 'tap';
import { createNetns, waitFor } from '../harness/index.js';
import { startBird } from '../harness/bird.js';
import { parseBirdProtocols } from '../harness/bird-protocols.js';
import { events, spawnSpeakerCli, waitEvent } from './speaker-cli.js';

const AS = 64512;

t.test('bird6 dials the bgp-speaker tool: IPv6 routes both ways, withdrawal, route refresh answered, Cease on SIGTERM', async (t) => {
  const ns = await createNetns(t);
  const [us, node] = ['fd00:77::1', 'fd00:77::2'];
  for (const a of [us, node]) await ns.ip(['-6', 'addr', 'add', `${a}/128`, 'dev', 'lo', 'nodad']);
  const cli = spawnSpeakerCli(t, ['--local-address', us, '--peer-address', node, '--passive', '--local-as', `${AS}`, '--peer-as', `${AS}`, '--router-id', '10.0.0.1', '--announce', 'fd00:50::/48', '--add-path', '--graceful-restart', '120'], { netns: ns });
  await waitEvent(cli, (e) => e.event === 'state' && e.state === 'Active');
  const bird = await startBird(
    t,
    { version: '1.6-v6', routerId: '10.0.0.2', localAddress: node, localAs: AS, neighbors: [{ name: 'p_rr', address: us, as: AS, addPaths: true, gracefulRestart: true, multihop: true }], static6: ['fd00:9::/48'] },
    { netns: ns },
  );
  await waitEvent(cli, (e) => e.event === 'state' && e.state === 'Established');
  const info = await bird.cli('show protocols all p_rr');
  t.match(info, /Session:\s+internal multihop AS4 add-path-rx add-path-tx/, 'ADD-PATH both ways on the IPv6 session');
  t.match(info, /Neighbor caps:.*restart-able/, 'graceful restart advertised by us');

  const got = await waitEvent(cli, (e) => e.event === 'update' && e.prefix === 'fd00:9::/48');
  t.match(got, { nextHop: node, asPath: [], localPref: 100 });
  t.ok((got.pathId as number) > 0, 'path identifier (ADD-PATH)');
  await waitEvent(cli, (e) => e.event === 'eor' && e.afi === 'ipv6');
  const theirs = await waitFor(async () => (await bird.routes('protocol p_rr')).find((r) => r.prefix === 'fd00:50::/48'), { what: 'our route at bird6' });
  t.equal(theirs.attributes['BGP.next_hop'], us, 'next hop defaults to our local address');

  await bird.cli('disable s6');
  await waitEvent(cli, (e) => e.event === 'withdraw' && e.prefix === 'fd00:9::/48');
  t.pass('withdrawal of fd00:9::/48 printed');

  // BIRD 1.6: the statistics of its one table belong to the protocol (channel "").
  const importUpdates = async (): Promise<number> => parseBirdProtocols(await bird.cli('show protocols all p_rr')).get('p_rr')?.channels.get('')?.importUpdates.received ?? -1;
  const before = await importUpdates();
  await bird.cli('reload in p_rr');
  await waitFor(async () => (await importUpdates()) > before, { what: 'bird6 receives our routes again after its ROUTE-REFRESH' });
  t.pass('ROUTE-REFRESH answered with our routes');

  cli.signal('SIGTERM');
  const exit = await cli.exited;
  t.equal(exit.code, 0, 'exit 0 after SIGTERM');
  t.ok(events(cli).some((e) => e.event === 'notification' && e.direction === 'sent' && e.code === 6 && e.subcode === 2), 'Cease 6/2 printed');
  await waitFor(() => /p_rr: Received: Administrative shutdown/.test(bird.proc.output), { what: 'bird6 logs our Cease' });
  t.pass('bird6 received the Cease NOTIFICATION');
});
