/** The external route reflector rule (reference §2 "How an external RR finds its clients"). */
import t from 'tap';
import { deriveConfig, derivePeers, nodeListenPort, type ReplicaAddress } from '../src/desired-peers.js';
import { applyEvents, fromList, type KeyValue } from '../src/snapshot.js';
import { affinityKey, affinityValue, blockKey, blockValue, configKey, configValue, nodeKey, nodeValue, peerKey, peerValue, poolKey, poolValue } from './fixtures.js';

const kv = (key: string, value: string): KeyValue => ({ key, value, modRevision: 1 });
const nodes = [
  kv(nodeKey('n1'), nodeValue('n1', { ipv4Address: '10.0.0.11/24', ipv6Address: 'fd00::11/64' }, { rack: 'r1' })),
  kv(nodeKey('n2'), nodeValue('n2', { ipv4Address: '10.0.0.12/24', asNumber: 65002 }, { rack: 'r2' })),
  kv(nodeKey('n3'), nodeValue('n3', { ipv4Address: '10.0.0.13/24', routeReflectorClusterID: '244.0.0.1' }, { rack: 'r1' })),
  kv(nodeKey('n4'), nodeValue('n4', {}, { rack: 'r1' })),
];
const me: ReplicaAddress[] = [{ address: '10.0.0.250' }, { address: 'fd00::250' }];
const peersOf = (extra: KeyValue[], replica: ReplicaAddress[] = me) => derivePeers(fromList([...nodes, ...extra], 5), replica);
const rows = (extra: KeyValue[], replica: ReplicaAddress[] = me) => peersOf(extra, replica).peers.map((p) => [p.name, p.address, p.asNumber, p.routeReflectorClient]);

t.test('1. only BGPPeers whose peerIP (and port) is one of our addresses', async (t) => {
  t.same(rows([kv(peerKey('other'), peerValue('other', { peerIP: '10.0.0.251', asNumber: 64512 }))]), [], 'a peerIP of someone else selects nothing');
  t.same(rows([kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250:1179', asNumber: 64512 }))]), [], 'port 1179 while we listen on 179');
  t.equal(rows([kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250:1179' }))], [{ address: '10.0.0.250', port: 1179 }]).length, 3, 'port 1179 while we listen on 1179');
  t.same(rows([kv(peerKey('sel'), peerValue('sel', { peerSelector: 'all()' }))]), [], 'peerSelector peers (node to node) are not ours');
});

t.test('2. node, else nodeSelector, else every node', async (t) => {
  t.same(rows([kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250' }))]).map((r) => r[0]), ['n1', 'n2', 'n3'], 'both empty: all nodes (with an address)');
  t.same(rows([kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250', node: 'n2' }))]).map((r) => r[0]), ['n2'], 'node');
  t.same(rows([kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250', nodeSelector: "rack == 'r1'" }))]).map((r) => r[0]), ['n1', 'n3'], 'nodeSelector');
  t.same(rows([kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250', node: 'gone' }))]), [], 'node that does not exist');
  const r = peersOf([kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250', node: 'n4' }))]);
  t.same(r.skipped, [{ name: 'n4', bgpPeer: 'rr', reason: 'no spec.bgp.ipv4Address' }], 'a node without a BGP address is reported as skipped');
});

t.test('3. ipv4Address, or ipv6Address when peerIP is IPv6', async (t) => {
  t.same(rows([kv(peerKey('rr6'), peerValue('rr6', { peerIP: 'fd00::250', node: 'n1' }))]), [['n1', 'fd00::11', 64512, true]]);
  const both = peersOf([kv(peerKey('rr4'), peerValue('rr4', { peerIP: '10.0.0.250', node: 'n1' })), kv(peerKey('rr6'), peerValue('rr6', { peerIP: 'fd00::250', node: 'n1' }))]);
  t.same(both.peers.map((p) => [p.address, p.localAddress, p.family]), [['10.0.0.11', '10.0.0.250', 4], ['fd00::11', 'fd00::250', 6]], 'one session per family');
});

t.test('4. AS: localASNumber, else node asNumber, else global, else 64512', async (t) => {
  const peer = kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250', nodeSelector: "rack == 'r2' || rack == 'r1'" }));
  t.same(rows([peer]).map((r) => r[2]), [64512, 65002, 64512], 'no global config: 64512; node asNumber wins');
  t.same(rows([peer, kv(configKey('default'), configValue('default', { asNumber: 65000 }))]).map((r) => r[2]), [65000, 65002, 65000], 'global asNumber');
  t.same(rows([kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250', localASNumber: 65100 }))]).map((r) => r[2]), [65100, 65100, 65100], 'localASNumber overrides');
});

t.test('RFC 4456 roles: nodes are clients, a node that is itself a reflector is not', async (t) => {
  t.same(rows([kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250' }))]).map((r) => [r[0], r[3]]), [['n1', true], ['n2', true], ['n3', false]]);
});

t.test('session settings and overlaps', async (t) => {
  const r = peersOf([
    kv(peerKey('b-rr'), peerValue('b-rr', { peerIP: '10.0.0.250', node: 'n1', maxRestartTime: '300s' })),
    kv(peerKey('a-rr'), peerValue('a-rr', { peerIP: '10.0.0.250', nodeSelector: 'all()', maxRestartTime: '2m', keepaliveTime: '20s', password: { secretKeyRef: { name: 's', key: 'k' } } })),
  ]);
  const n1 = r.peers.find((p) => p.name === 'n1');
  t.same([n1?.gracefulRestartTime, n1?.keepaliveTime, n1?.password, n1?.bgpPeers], [120, 20, { name: 's', key: 'k' }, ['a-rr', 'b-rr']], 'the BGPPeer whose name sorts first gives the settings; all are listed');
  t.equal(r.peers.length, 3, 'one peer per node address');
});

t.test('listenPort: node.<name>, else default, else 179', async (t) => {
  const s = fromList([kv(configKey('default'), configValue('default', { listenPort: 1179 })), kv(configKey('node.n1'), configValue('node.n1', { listenPort: 1790 }))], 1);
  t.same([nodeListenPort(s, 'n1'), nodeListenPort(s, 'n2'), nodeListenPort(fromList([], 1), 'n1')], [1790, 1179, 179]);
});

t.test('block owners and pools for import policy', async (t) => {
  const s = fromList(
    [
      ...nodes,
      kv(poolKey('p'), poolValue('p', { cidr: '10.65.0.0/16', disableBGPExport: true })),
      kv(blockKey('10.65.0.0/26'), blockValue('10.65.0.0/26', 'n1', { allocations: [null, 0], attributes: [{ secondary: { node: 'n2' } }] })),
      kv(blockKey('10.65.0.64/26'), blockValue('10.65.0.64/26', 'n2', { deleted: true })),
      kv(affinityKey('n3', '10.65.1.0/26'), affinityValue()),
      kv(affinityKey('n3', '10.65.2.0/26'), affinityValue('pending')),
      kv(affinityKey('n9', '10.65.0.0/26'), affinityValue()),
    ],
    7,
  );
  const c = deriveConfig(s, me);
  t.same([...c.blockOwners], [['10.65.0.0/26', 'n1'], ['10.65.1.0/26', 'n3']], "the block's affinity owns it; a confirmed affinity without a block too; deleted and pending own nothing");
  t.same([...c.borrowed], [['10.65.0.1', 'n2']], 'borrowed addresses');
  t.same(c.pools.map((p) => [p.name, p.cidr.cidr, p.blockSize, p.disabled, p.disableBGPExport]), [['p', '10.65.0.0/16', 26, false, true]]);
  t.same([c.revision, c.asNumber], [7, 64512]);
});

t.test('deriveConfig reuses what did not change', async (t) => {
  const s = fromList([...nodes, kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250' })), kv(blockKey('10.65.0.0/26'), blockValue('10.65.0.0/26', 'n1'))], 1);
  const c1 = deriveConfig(s, me);
  const { snapshot: s2 } = applyEvents(s, [{ type: 'put', key: nodeKey('n5'), value: nodeValue('n5', { ipv4Address: '10.0.0.15/24' }), modRevision: 2 }]);
  const c2 = deriveConfig(s2, me, { snapshot: s, config: c1 });
  t.equal(c2.blockOwners, c1.blockOwners, 'block owners reused when blocks did not change');
  t.equal(c2.peers.length, 4, 'peers re-derived when nodes changed');
});

t.test('two nodes with the same address: the first by name gets it, the other is skipped', async (t) => {
  const r = peersOf([kv(nodeKey('n0'), nodeValue('n0', { ipv4Address: '10.0.0.12/24' })), kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250' }))]);
  t.same(r.peers.map((p) => p.name), ['n0', 'n1', 'n3']);
  t.same(r.skipped, [{ name: 'n2', bgpPeer: 'rr', reason: "address 10.0.0.12 is already node n0's" }, { name: 'n4', bgpPeer: 'rr', reason: 'no spec.bgp.ipv4Address' }]);
});

t.test('property: re-deriving only the changed nodes equals a full derivation', async (t) => {
  const peer = kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250', nodeSelector: "rack != 'r9'" }));
  const peer6 = kv(peerKey('rr6'), peerValue('rr6', { peerIP: 'fd00::250' }));
  let s = fromList([...nodes, peer, peer6], 1);
  let c = deriveConfig(s, me);
  const changes: [string, string | undefined][] = [
    ['n5', nodeValue('n5', { ipv4Address: '10.0.0.15/24' }, { rack: 'r1' })],
    ['n1', nodeValue('n1', { ipv4Address: '10.0.0.11/24' }, { rack: 'r9' })],
    ['n2', undefined],
    ['n6', nodeValue('n6', { ipv4Address: '10.0.0.15/24', ipv6Address: 'fd00::16/64' })],
    ['n0', nodeValue('n0', { ipv4Address: '10.0.0.15/24' })],
    ['n1', nodeValue('n1', { ipv4Address: '10.0.0.11/24', ipv6Address: 'fd00::11/64' }, { rack: 'r1' })],
    ['n0', undefined],
    ['n5', undefined],
  ];
  let rev = 2;
  for (const [name, value] of changes) {
    const ev = value === undefined ? { type: 'delete' as const, key: nodeKey(name), modRevision: rev++ } : { type: 'put' as const, key: nodeKey(name), value, modRevision: rev++ };
    const { snapshot, diff } = applyEvents(s, [ev]);
    const inc = deriveConfig(snapshot, me, { snapshot: s, config: c, diff });
    const full = deriveConfig(snapshot, me);
    t.same(inc.peers, full.peers, `peers after ${name}`);
    t.same([...inc.skipped].sort((a, b) => (a.name + a.bgpPeer < b.name + b.bgpPeer ? -1 : 1)), [...full.skipped].sort((a, b) => (a.name + a.bgpPeer < b.name + b.bgpPeer ? -1 : 1)), `skipped after ${name}`);
    s = snapshot;
    c = inc;
  }
});

t.test('legacy /calico/bgp/v1 keys are ignored (reference §5: current Calico does not write them)', async (t) => {
  const legacy = [
    kv('/calico/bgp/v1/rr_v4/10.0.0.250', JSON.stringify({ ip: '10.0.0.250', cluster_id: '244.0.0.1' })),
    kv('/calico/bgp/v1/host/n1/peer_v4/10.0.0.250', JSON.stringify({ ip: '10.0.0.250', as_num: '64512' })),
    kv('/calico/bgp/v1/global/peer_v4/10.0.0.250', JSON.stringify({ ip: '10.0.0.250', as_num: '64512' })),
    kv('/calico/bgp/v1/global/as_num', '65000'),
  ];
  const c = deriveConfig(fromList([...nodes, ...legacy], 3), me);
  t.same([c.peers, c.asNumber, c.issues], [[], 64512, []], 'no peer, no AS and no issue from legacy keys');
});

t.test('BGPConfiguration defaults applied on read (reference §2 table)', async (t) => {
  const cases: [rule: string, configs: KeyValue[], want: [asNumber: number, mesh: boolean]][] = [
    ['no BGPConfiguration: AS 64512, mesh on', [], [64512, true]],
    ['empty spec {} (calico/node creates it): AS 64512, mesh on', [kv(configKey('default'), configValue('default', {}))], [64512, true]],
    ['asNumber and nodeToNodeMeshEnabled as set', [kv(configKey('default'), configValue('default', { asNumber: '1.10', nodeToNodeMeshEnabled: false }))], [65546, false]],
    ['node.<name> cannot set the global AS', [kv(configKey('node.n1'), configValue('node.n1', { asNumber: 65001 }))], [64512, true]],
  ];
  for (const [rule, configs, want] of cases) {
    const c = deriveConfig(fromList(configs, 1), me);
    t.same([c.asNumber, c.nodeToNodeMeshEnabled], want, rule);
  }
});

t.test('a diff that does not lead from the previous snapshot is not used', async (t) => {
  const s1 = fromList([...nodes, kv(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250' }))], 1);
  const c1 = deriveConfig(s1, me);
  const { snapshot: s2 } = applyEvents(s1, [{ type: 'put', key: nodeKey('n5'), value: nodeValue('n5', { ipv4Address: '10.0.0.15/24' }), modRevision: 2 }]);
  const { snapshot: s3, diff: d23 } = applyEvents(s2, [{ type: 'put', key: nodeKey('n6'), value: nodeValue('n6', { ipv4Address: '10.0.0.16/24' }), modRevision: 3 }]);
  const c3 = deriveConfig(s3, me, { snapshot: s1, config: c1, diff: d23 }); // the update to s2 was missed
  t.same(c3.peers.map((p) => p.name), ['n1', 'n2', 'n3', 'n5', 'n6'], 'a full derivation: n5 is not lost');
});
