/** parseResource: defaults applied on read as Calico applies them; bad values reported by key and skipped. */
import t from 'tap';
import { parseResource } from '../../src/resources/index.js';
import { affinityKey, blockKey, blockValue, configKey, configValue, nodeKey, nodeValue, peerKey, peerValue, poolKey, poolValue } from '../fixtures.js';

const ok = (key: string, value: string) => {
  const o = parseResource(key, value);
  if (o?.resource === undefined) throw new Error(`expected a resource, got ${JSON.stringify(o?.issues)}`);
  return { value: o.resource.value as unknown as Record<string, unknown>, issues: o.issues };
};
const rejected = (key: string, value: string): string => {
  const o = parseResource(key, value);
  if (o === undefined || o.resource !== undefined) throw new Error('expected a rejection');
  const e = o.issues.find((i) => i.severity === 'error');
  if (e === undefined || e.key !== key) throw new Error('rejection without an error issue for the key');
  return e.reason;
};

t.test('Node', async (t) => {
  const n = ok(nodeKey('n1'), nodeValue('n1', { ipv4Address: '10.0.0.11/24', ipv6Address: 'fd00::11/64', asNumber: '1.10', routeReflectorClusterID: '244.0.0.1' }, { rack: 'r1' }));
  t.same(n.value.bgp, { ipv4Address: { family: 4, address: '10.0.0.11', prefixLength: 24 }, ipv6Address: { family: 6, address: 'fd00::11', prefixLength: 64 }, asNumber: 65546, routeReflectorClusterID: '244.0.0.1' }, 'BGP fields typed; asdot AS');
  t.same(n.value.labels, { 'kubernetes.io/hostname': 'n1', rack: 'r1' }, 'metadata.labels are what selectors match');
  t.same(ok(nodeKey('n2'), nodeValue('n2', { ipv4Address: '10.0.0.12' })).value.bgp, { ipv4Address: { family: 4, address: '10.0.0.12', prefixLength: 32 } }, 'a bare IP means /32; absent asNumber means global AS');
  t.equal(ok(nodeKey('n3'), JSON.stringify({ kind: 'Node', apiVersion: 'projectcalico.org/v3', metadata: { name: 'n3' }, spec: {} })).value.bgp, undefined, 'no spec.bgp: not a BGP speaker');
  t.match(rejected(nodeKey('n4'), nodeValue('n4', { ipv4Address: '10.0.0.300/24' })), /ipv4Address/, 'invalid address rejected');
  t.match(rejected(nodeKey('n5'), nodeValue('n5', { asNumber: 'x' })), /asNumber/, 'invalid AS rejected');
  t.match(rejected(nodeKey('n6'), '{"kind":"Node",'), /malformed JSON/, 'malformed JSON rejected');
  t.match(rejected(nodeKey('n7'), nodeValue('other', {})), /does not match the key/, 'metadata.name must match the key');
  t.match(rejected(nodeKey('n8'), JSON.stringify({ kind: 'BGPPeer', metadata: { name: 'n8' }, spec: {} })), /kind/, 'wrong kind rejected');
  const unknown = ok(nodeKey('n9'), nodeValue('n9', { ipv4Address: '10.0.0.9/24', futureField: 1 }));
  t.same(unknown.issues.map((i) => [i.severity, i.reason]), [['warning', 'spec.bgp.futureField: unknown field, ignored']], 'unknown fields: reported as warnings and skipped, the resource is used');
});

t.test('BGPConfiguration: defaults are applied by the reader', async (t) => {
  const d = ok(configKey('default'), configValue('default', {}));
  t.same([d.value.asNumber, d.value.nodeToNodeMeshEnabled, d.value.listenPort], [undefined, undefined, undefined], 'empty spec {} (calico/node creates it): nothing set');
  const g = ok(configKey('default'), configValue('default', { asNumber: 65000, nodeToNodeMeshEnabled: false, listenPort: 1179, serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] }));
  t.same([g.value.asNumber, g.value.nodeToNodeMeshEnabled, g.value.listenPort], [65000, false, 1179]);
  t.same((g.value.serviceClusterIPs as { cidr: string }[]).map((c) => c.cidr), ['10.96.0.0/12']);
  const n = ok(configKey('node.n1'), configValue('node.n1', { listenPort: 1790, asNumber: 65001 }));
  t.same([n.value.node, n.value.listenPort, n.value.asNumber], ['n1', 1790, undefined], 'node.<name> overrides listenPort; asNumber not allowed there');
  t.match(n.issues[0]?.reason, /not allowed/);
  t.match(rejected(configKey('default'), configValue('default', { listenPort: 0 })), /listenPort/, 'listenPort 1..65535');
  t.match(rejected(configKey('default'), configValue('default', { serviceClusterIPs: [{ cidr: '10.96.0.0/33' }] })), /serviceClusterIPs\[0\]/, 'invalid service CIDR');
});

t.test('BGPPeer', async (t) => {
  const p = ok(peerKey('rr'), peerValue('rr', { peerIP: '10.0.0.250:1179', asNumber: 64512, localASNumber: '65001', nodeSelector: "rack == 'r1'", maxRestartTime: '2m', keepaliveTime: '30s', password: { secretKeyRef: { name: 's', key: 'k' } } }));
  t.same(p.value.peer, { ip: { family: 4, address: '10.0.0.250' }, port: 1179 });
  t.same([p.value.asNumber, p.value.localASNumber, p.value.maxRestartTime, p.value.keepaliveTime, p.value.sourceAddress], [64512, 65001, 120, 30, 'UseNodeIP'], 'durations in seconds; sourceAddress defaults to UseNodeIP');
  t.same(p.value.password, { name: 's', key: 'k' }, 'password is a Secret reference, never in etcd');
  t.ok((p.value.nodeSelector as { matches(l: object): boolean }).matches({ rack: 'r1' }), 'nodeSelector compiled once');
  t.match(rejected(peerKey('b1'), peerValue('b1', { peerIP: '10.0.0.250', nodeSelector: "rack = 'r1'" })), /nodeSelector: bad selector .* at position 5/, 'bad selector reported with position');
  t.match(rejected(peerKey('b2'), peerValue('b2', { peerSelector: 'all()', asNumber: 64512 })), /must be empty with peerSelector/, 'peerSelector: asNumber must be empty');
  t.match(rejected(peerKey('b3'), peerValue('b3', { asNumber: 64512 })), /peerIP or peerSelector/, 'a remote end is required');
  t.match(rejected(peerKey('b4'), peerValue('b4', { peerIP: '10.0.0.250', node: 'n1', nodeSelector: 'all()' })), /mutually exclusive/, 'node and nodeSelector exclusive');
  t.match(rejected(peerKey('b5'), peerValue('b5', { peerIP: '10.0.0.999' })), /peerIP/, 'invalid peerIP');
  t.match(rejected(peerKey('b6'), peerValue('b6', { peerIP: '10.0.0.1', maxRestartTime: '2 minutes' })), /maxRestartTime/, 'invalid duration');
});

t.test('IPPool: defaults filled in on read (clientv3/ippool.go)', async (t) => {
  const v4 = ok(poolKey('p4'), poolValue('p4', { cidr: '10.65.0.0/16' }));
  t.same([v4.value.blockSize, v4.value.ipipMode, v4.value.vxlanMode, v4.value.disabled, v4.value.disableBGPExport], [26, 'Never', 'Never', false, false], 'IPv4 blockSize 26, encapsulation Never, bools false');
  t.equal(ok(poolKey('p6'), poolValue('p6', { cidr: 'fd00:10::/48' })).value.blockSize, 122, 'IPv6 blockSize 122');
  t.equal((ok(poolKey('p'), poolValue('p', { cidr: '10.65.0.0/16' })).value.cidr as { cidr: string }).cidr, '10.65.0.0/16');
  t.match(rejected(poolKey('b1'), poolValue('b1', { cidr: '10.65.0.0/16', blockSize: 19 })), /blockSize/, 'IPv4 blockSize 20..32');
  t.match(rejected(poolKey('b2'), poolValue('b2', { cidr: 'fd00::/48', blockSize: 64 })), /blockSize/, 'IPv6 blockSize 116..128');
  t.match(rejected(poolKey('b3'), poolValue('b3', { cidr: '10.65.0.0/16', ipipMode: 'Always', vxlanMode: 'Always' })), /both/, 'not IPIP and VXLAN at once');
  t.match(rejected(poolKey('b4'), poolValue('b4', { cidr: 'fd00::/48', ipipMode: 'Always' })), /IPv4 only/, 'IPIP is IPv4 only');
  t.match(rejected(poolKey('b5'), poolValue('b5', { cidr: '10.65.0.0/33' })), /cidr/, 'invalid CIDR');
  t.match(rejected(poolKey('b6'), poolValue('b6', { cidr: '10.65.0.0/16', nodeSelector: 'has(' })), /nodeSelector/, 'bad selector');
  t.match(rejected(poolKey('b7'), poolValue('b7', { cidr: '10.65.0.0/16', ipipMode: 'Sometimes' })), /ipipMode/, 'bad mode');
});

t.test('IPAM block and affinity', async (t) => {
  const b = ok(blockKey('10.65.3.0/26'), blockValue('10.65.3.0/26', 'node-1', {
    allocations: [0, null, 1, 2],
    attributes: [
      { handle_id: 'ipip-tunnel-addr-node-1', secondary: { node: 'node-1', type: 'ipipTunnelAddress' } },
      { handle_id: 'k8s-pod-network.a', secondary: { namespace: 'default', node: 'node-1', pod: 'web-0' } },
      { handle_id: 'k8s-pod-network.b', secondary: { namespace: 'default', node: 'node-2', pod: 'web-1' } },
    ],
  }));
  t.equal(b.value.node, 'node-1', 'owner from affinity "host:<node>"');
  t.same(b.value.borrowed, [{ address: '10.65.3.3', node: 'node-2' }], 'an address used on another node is borrowed');
  t.equal(ok(blockKey('10.65.4.0/26'), blockValue('10.65.4.0/26', null)).value.node, undefined, 'null affinity: no owner');
  t.equal(ok(blockKey('10.65.5.0/26'), JSON.stringify({ cidr: '10.65.5.0/26', affinity: 'virtual:vm-1' })).value.node, undefined, 'virtual affinity: no node owner');
  t.equal(ok(blockKey('10.65.6.0/26'), JSON.stringify({ cidr: '10.65.6.0/26', hostAffinity: 'node-3' })).value.node, 'node-3', 'deprecated hostAffinity');
  t.match(rejected(blockKey('10.65.7.0/26'), blockValue('10.65.8.0/26', 'n')), /does not match the key/, 'block CIDR must match its key');
  t.match(rejected(blockKey('10.65.9.0/26'), blockValue('10.65.9.0/26', 'n', { allocations: [5] })), /attribute 5/, 'allocation pointing nowhere');
  const a = ok(affinityKey('node-1', '10.65.3.0/26'), '{"state":"pending","deleted":false}');
  t.same([a.value.node, a.value.state], ['node-1', 'pending']);
  t.equal(ok(affinityKey('node-1', '10.65.3.0/26'), '').value.state, 'confirmed', 'an empty affinity value means confirmed');
  t.match(rejected(affinityKey('node-1', '10.65.3.0/26'), '{"state":"maybe"}'), /state/, 'unknown state');
});

t.test('keys we do not read produce nothing', async (t) => {
  t.equal(parseResource('/calico/bgp/v1/global/as_num', '64512'), undefined, 'legacy /calico/bgp/v1 ignored');
  t.equal(parseResource('/calico/resources/v3/projectcalico.org/workloadendpoints/ns/w', '{'), undefined);
});
