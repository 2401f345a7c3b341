/** `bgp-speaker` main(argv, env, io): options, errors, and one live session run in-process. */
import t from 'tap';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { leaseLoopbackBlock, freePort, waitFor } from '../../../../test/harness/index.js';
import { main } from '../../src/cli/main.js';
import { Speaker } from '../../src/speaker.js';
import { IPV4_UNICAST } from '../../src/wire/types.js';
import { parseIpv4 } from '../../src/wire/address.js';
import { ipv4Prefix } from '../../src/wire/prefix.js';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const signals = new EventEmitter();
  return { io: { stdout, stderr, signals: signals as unknown as { once: (s: 'SIGINT' | 'SIGTERM', f: () => void) => unknown; off: (s: 'SIGINT' | 'SIGTERM', f: () => void) => unknown } }, out: () => out, err: () => err, signals };
}

t.test('--help lists the session command and exits 0', async (t) => {
  const x = io();
  t.equal(await main(['session', '--help'], {}, x.io), 0);
  t.match(x.out(), /--local-address <addr>[\s\S]*--announce <prefix\[@nexthop\]>[\s\S]*--graceful-restart <seconds>/);
  t.match(x.out(), /Commands on stdin[\s\S]*refresh \[ipv4\|ipv6\][\s\S]*borr \[ipv4\|ipv6\][\s\S]*eorr \[ipv4\|ipv6\]/, 'the stdin commands are documented');
});

t.test('a missing required option or a bad number is refused with a non-zero code', async (t) => {
  const x = io();
  t.not(await main(['session', '--peer-address', '127.0.0.2'], {}, x.io), 0);
  t.match(x.err(), /required option/);
  const y = io();
  const args = ['session', '--local-address', '127.0.0.1', '--peer-address', '127.0.0.2', '--local-as', '1', '--peer-as', '1', '--router-id', '1.1.1.1'];
  t.not(await main([...args, '--hold-time', 'soon'], {}, y.io), 0);
  t.match(y.err(), /hold-time/);
  const z = io();
  t.equal(await main([...args, '--hold-time', '2'], {}, z.io), 1, 'hold time 2 refused (RFC 4271 §4.2)');
  t.match(z.err(), /hold time 2/);
});

t.test('session: JSON lines for state, update, eor; SIGTERM sends Cease and exits 0', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const [us, peer] = [block.addr(1), block.addr(2)];
  const port = await freePort(us);
  const other = new Speaker();
  t.teardown(() => other.stop());
  await other.listen([{ address: peer, port }]);
  other.on('established', (p) => {
    other.sendUpdate(p, IPV4_UNICAST, { origin: 0, asPath: [], nextHop: parseIpv4('10.0.0.5'), localPref: 100, originatorId: parseIpv4('10.0.0.5'), clusterList: [parseIpv4('244.0.0.1')] }, [{ prefix: ipv4Prefix(parseIpv4('172.17.5.0'), 24), pathId: 0 }]);
    other.sendEndOfRib(p, IPV4_UNICAST);
  });
  const received: string[] = [];
  other.on('update', (_p, u) => received.push(...u.update.nlri.map((n) => `${n.prefix.afi}`)));
  other.addPeer({ peerAddress: us, localAddress: peer, localAs: 65000, peerAs: 65000, routerId: '10.0.0.5', passive: true });
  const x = io();
  const run = main(['session', '--local-address', us, '--peer-address', peer, '--peer-port', `${port}`, '--local-as', '65000', '--peer-as', '65000', '--router-id', '10.0.0.1', '--announce', '10.77.0.0/16'], {}, x.io);
  await waitFor(() => x.out().includes('"event":"eor"'), { what: 'eor line' });
  await waitFor(() => received.length === 1, { what: 'our announcement at the other speaker' });
  x.signals.emit('SIGTERM');
  t.equal(await run, 0, 'exit code 0');
  const lines = x.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(lines, [
    { event: 'state', state: 'Connect' },
    { event: 'state', state: 'OpenSent' },
    { event: 'state', state: 'OpenConfirm' },
    { event: 'state', state: 'Established', reason: 'KEEPALIVE received: session established' },
    { event: 'established', peerAs: 65000, families: ['ipv4'], routeRefresh: true, enhancedRouteRefresh: true },
  ]);
  t.same(lines.find((l) => l.event === 'update'), { event: 'update', prefix: '172.17.5.0/24', nextHop: '10.0.0.5', asPath: [], localPref: 100, originatorId: '10.0.0.5', clusterList: ['244.0.0.1'], communities: [], pathId: 0 });
  t.same(lines.find((l) => l.event === 'eor'), { event: 'eor', afi: 'ipv4' });
  t.match(lines.find((l) => l.event === 'notification'), { direction: 'sent', code: 6, subcode: 2 });
});
