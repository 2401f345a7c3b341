/** A replica's addresses: what it listens on, or every host address for a wildcard. */
import t from 'tap';
import { replicaAddressesFor } from '../src/replica-addresses.js';
import { derivePeers, type ReplicaAddress } from '../src/desired-peers.js';
import { fromList } from '../src/snapshot.js';
import { nodeKey, nodeValue, peerKey, peerValue } from './fixtures.js';

const host = ['127.0.0.1', '10.0.0.250', '192.168.1.5', '::1', 'fd00::250', 'fe80::1c2b:3cff:fe4d:5e6f'];
const text = (r: ReplicaAddress[]): string[] => r.map((a) => `${a.address}|${a.port}`);

const cases: [rule: string, listen: { address: string; port: number }[], want: string[]][] = [
  ['a specific address stands for itself', [{ address: '10.0.0.250', port: 179 }], ['10.0.0.250|179']],
  ['its port is kept (a BGPPeer peerIP with :port must match it)', [{ address: '10.0.0.250', port: 1179 }], ['10.0.0.250|1179']],
  ['IPv6 in canonical form (RFC 5952)', [{ address: 'fd00:0:0::250', port: 179 }], ['fd00::250|179']],
  ['0.0.0.0: every IPv4 address of the host', [{ address: '0.0.0.0', port: 179 }], ['127.0.0.1|179', '10.0.0.250|179', '192.168.1.5|179']],
  ['[::]: every address of the host, both families (Linux binds :: dual-stack); link-local left out', [{ address: '::', port: 179 }], ['127.0.0.1|179', '10.0.0.250|179', '192.168.1.5|179', '::1|179', 'fd00::250|179']],
  ['an IPv4-mapped address is the IPv4 address', [{ address: '::ffff:10.0.0.250', port: 179 }], ['10.0.0.250|179']],
  ['duplicates collapse', [{ address: '0.0.0.0', port: 179 }, { address: '10.0.0.250', port: 179 }], ['127.0.0.1|179', '10.0.0.250|179', '192.168.1.5|179']],
  ['a wildcard and a specific address on different ports', [{ address: '10.0.0.250', port: 1179 }, { address: '0.0.0.0', port: 179 }], ['10.0.0.250|1179', '127.0.0.1|179', '10.0.0.250|179', '192.168.1.5|179']],
  ['no listen address: no replica address', [], []],
];

t.test('replica addresses', async (t) => {
  for (const [rule, listen, want] of cases) t.same(text(replicaAddressesFor(listen, host)), want, rule);
});

t.test('a BGPPeer naming any host address selects nodes when the replica listens on a wildcard', async (t) => {
  const s = fromList(
    [
      { key: nodeKey('n1'), value: nodeValue('n1', { ipv4Address: '10.0.0.11/24', ipv6Address: 'fd00::11/64' }), modRevision: 1 },
      { key: peerKey('rr4'), value: peerValue('rr4', { peerIP: '192.168.1.5' }), modRevision: 1 },
      { key: peerKey('rr6'), value: peerValue('rr6', { peerIP: 'fd00::250' }), modRevision: 1 },
    ],
    1,
  );
  const peers = (listen: string): string[] => derivePeers(s, replicaAddressesFor([{ address: listen, port: 179 }], host)).peers.map((p) => `${p.localAddress}>${p.address}`);
  t.same(peers('0.0.0.0'), ['192.168.1.5>10.0.0.11'], '0.0.0.0: the IPv4 BGPPeer only');
  t.same(peers('::'), ['192.168.1.5>10.0.0.11', 'fd00::250>fd00::11'], '[::]: both');
  t.same(peers('10.0.0.250'), [], 'a specific address that no BGPPeer names: nothing');
});
