/**
 * parseResource: defaults applied on read as Calico applies them; bad values
 * reported by key and skipped. One table row per Calico rule (reference §2, §3).
 */
import t, { type Test } from 'tap';
import { parseResource } from '../../src/resources/index.js';
import { affinityKey, blockKey, blockValue, configKey, configValue, nodeKey, nodeValue, peerKey, peerValue, poolKey, poolValue } from '../fixtures.js';

type Value = Record<string, unknown>;

const ok = (key: string, value: string) => {
  const o = parseResource(key, value);
  if (o?.resource === undefined) throw new Error(`expected a resource, got ${JSON.stringify(o?.issues)}`);
  return { value: o.resource.value as unknown as Value, issues: o.issues };
};
const rejected = (key: string, value: string): string => {
  const o = parseResource(key, value);
  if (o === undefined || o.resource !== undefined) throw new Error('expected a rejection');
  const e = o.issues.find((i) => i.severity === 'error');
  if (e === undefined || e.key !== key) throw new Error('rejection without an error issue for the key');
  return e.reason;
};

/** [rule, key, value, projection of the parsed value, expected projection] */
type Accepted = [rule: string, key: string, value: string, pick: (v: Value) => unknown, want: unknown];
/** [rule, key, value, expected reason] */
type Rejected = [rule: string, key: string, value: string, reason: RegExp];

function run(t: Test, accepted: readonly Accepted[], rejections: readonly Rejected[]): void {
  for (const [rule, key, value, pick, want] of accepted) t.same(pick(ok(key, value).value), want, rule);
  for (const [rule, key, value, reason] of rejections) t.match(rejected(key, value), reason, `rejected: ${rule}`);
}

t.test('Node (internalapi/node.go, spec.bgp)', async (t) => {
  const n = (name: string, bgp: Value, labels?: Record<string, string>) => [nodeKey(name), nodeValue(name, bgp, labels)] as const;
  run(
    t,
    [
      ['ipv4Address keeps the host address and the mask', ...n('a', { ipv4Address: '10.0.0.11/24' }), (v) => (v.bgp as Value).ipv4Address, { family: 4, address: '10.0.0.11', prefixLength: 24 }],
      ['a bare ipv4Address means /32', ...n('b', { ipv4Address: '10.0.0.12' }), (v) => (v.bgp as Value).ipv4Address, { family: 4, address: '10.0.0.12', prefixLength: 32 }],
      ['ipv6Address in canonical form', ...n('c', { ipv6Address: 'fd00:0::11/64' }), (v) => (v.bgp as Value).ipv6Address, { family: 6, address: 'fd00::11', prefixLength: 64 }],
      ['asNumber as asdot (numorstring.ASNumber)', ...n('d', { asNumber: '1.10' }), (v) => (v.bgp as Value).asNumber, 65546],
      ['asNumber as a decimal string', ...n('e', { asNumber: '64513' }), (v) => (v.bgp as Value).asNumber, 64513],
      ['absent asNumber: the global AS applies (undefined here)', ...n('f', { ipv4Address: '10.0.0.12' }), (v) => (v.bgp as Value).asNumber, undefined],
      ['routeReflectorClusterID kept', ...n('g', { routeReflectorClusterID: '244.0.0.1' }), (v) => (v.bgp as Value).routeReflectorClusterID, '244.0.0.1'],
      ['metadata.labels are what selectors match', ...n('h', {}, { rack: 'r1' }), (v) => v.labels, { 'kubernetes.io/hostname': 'h', rack: 'r1' }],
      ['no spec.bgp: not a BGP speaker', nodeKey('i'), JSON.stringify({ kind: 'Node', apiVersion: 'projectcalico.org/v3', metadata: { name: 'i' }, spec: {} }), (v) => v.bgp, undefined],
      ['kind and apiVersion may be absent', nodeKey('j'), JSON.stringify({ metadata: { name: 'j' }, spec: { bgp: { ipv4Address: '10.0.0.1' } } }), (v) => v.name, 'j'],
    ],
    [
      ['an invalid ipv4Address', ...n('r1', { ipv4Address: '10.0.0.300/24' }), /spec\.bgp\.ipv4Address/],
      ['an invalid asNumber', ...n('r2', { asNumber: 'x' }), /spec\.bgp\.asNumber/],
      ['malformed JSON', nodeKey('r3'), '{"kind":"Node",', /malformed JSON/],
      ['metadata.name must match the key', nodeKey('r4'), nodeValue('other', {}), /does not match the key/],
      ['the kind must be Node', nodeKey('r5'), JSON.stringify({ kind: 'BGPPeer', metadata: { name: 'r5' }, spec: {} }), /kind/],
      ['the apiVersion must be projectcalico.org/v3', nodeKey('r6'), JSON.stringify({ kind: 'Node', apiVersion: 'v1', metadata: { name: 'r6' } }), /apiVersion/],
      ['a label value must be a string', nodeKey('r7'), JSON.stringify({ kind: 'Node', metadata: { name: 'r7', labels: { a: 1 } } }), /metadata\.labels\.a/],
      ['the value must be an object', nodeKey('r8'), '[]', /expected an object/],
    ],
  );
  const unknown = ok(nodeKey('n9'), nodeValue('n9', { ipv4Address: '10.0.0.9/24', futureField: 1 }));
  t.same(unknown.issues.map((i) => [i.severity, i.reason]), [['warning', 'spec.bgp.futureField: unknown field, ignored']], 'unknown fields: reported as warnings and ignored, the resource is used');
});

t.test('BGPConfiguration (bgpconfig.go): the reader leaves unset fields unset, desired-peers applies the defaults', async (t) => {
  const c = (name: string, spec: Value) => [configKey(name), configValue(name, spec)] as const;
  const triple = (v: Value) => [v.asNumber, v.nodeToNodeMeshEnabled, v.listenPort];
  run(
    t,
    [
      ['empty spec {} (calico/node creates it): nothing set', ...c('default', {}), triple, [undefined, undefined, undefined]],
      ['asNumber, nodeToNodeMeshEnabled, listenPort as set', ...c('default', { asNumber: 65000, nodeToNodeMeshEnabled: false, listenPort: 1179 }), triple, [65000, false, 1179]],
      ['service CIDR lists', ...c('default', { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }], serviceExternalIPs: [{ cidr: '192.0.2.0/24' }] }), (v) => [v.serviceClusterIPs, v.serviceExternalIPs].map((l) => (l as { cidr: string }[]).map((x) => x.cidr)), [['10.96.0.0/12'], ['192.0.2.0/24']]],
      ['node.<name> names its node and may set listenPort', ...c('node.n1', { listenPort: 1790 }), (v) => [v.node, v.listenPort], ['n1', 1790]],
      ['node.<name> may not set asNumber (ignored)', ...c('node.n1', { asNumber: 65001 }), (v) => v.asNumber, undefined],
      ['nodeMeshMaxRestartTime is a duration', ...c('default', { nodeMeshMaxRestartTime: '2m' }), (v) => v.nodeMeshMaxRestartTime, 120],
    ],
    [
      ['listenPort is 1..65535', ...c('default', { listenPort: 0 }), /listenPort/],
      ['an invalid service CIDR', ...c('default', { serviceClusterIPs: [{ cidr: '10.96.0.0/33' }] }), /serviceClusterIPs\[0\]/],
      ['a service CIDR entry needs a cidr', ...c('default', { serviceLoadBalancerIPs: [{}] }), /serviceLoadBalancerIPs\[0\]\.cidr/],
      ['nodeToNodeMeshEnabled is a bool', ...c('default', { nodeToNodeMeshEnabled: 'no' }), /nodeToNodeMeshEnabled/],
    ],
  );
  t.match(ok(configKey('node.n1'), configValue('node.n1', { asNumber: 65001 })).issues[0]?.reason, /not allowed/, 'node.<name> asNumber is reported');
});

t.test('BGPPeer (bgppeer.go)', async (t) => {
  const p = (name: string, spec: Value) => [peerKey(name), peerValue(name, spec)] as const;
  run(
    t,
    [
      ['peerIP with a port', ...p('a', { peerIP: '10.0.0.250:1179' }), (v) => v.peer, { ip: { family: 4, address: '10.0.0.250' }, port: 1179 }],
      ['[IPv6]:port', ...p('b', { peerIP: '[fd00::250]:1179' }), (v) => v.peer, { ip: { family: 6, address: 'fd00::250' }, port: 1179 }],
      ['asNumber and localASNumber (number or string)', ...p('c', { peerIP: '10.0.0.250', asNumber: 64512, localASNumber: '65001' }), (v) => [v.asNumber, v.localASNumber], [64512, 65001]],
      ['maxRestartTime and keepaliveTime in seconds', ...p('d', { peerIP: '10.0.0.250', maxRestartTime: '2m', keepaliveTime: '30s' }), (v) => [v.maxRestartTime, v.keepaliveTime], [120, 30]],
      ['sourceAddress defaults to UseNodeIP', ...p('e', { peerIP: '10.0.0.250' }), (v) => v.sourceAddress, 'UseNodeIP'],
      ['sourceAddress None', ...p('f', { peerIP: '10.0.0.250', sourceAddress: 'None' }), (v) => v.sourceAddress, 'None'],
      ['password is a Secret reference, never in etcd', ...p('g', { peerIP: '10.0.0.250', password: { secretKeyRef: { name: 's', key: 'k' } } }), (v) => v.password, { name: 's', key: 'k' }],
      ['nodeSelector compiled once', ...p('h', { peerIP: '10.0.0.250', nodeSelector: "rack == 'r1'" }), (v) => (v.nodeSelector as { matches(l: object): boolean }).matches({ rack: 'r1' }), true],
      ['an empty nodeSelector is no selector (every node)', ...p('i', { peerIP: '10.0.0.250', nodeSelector: '' }), (v) => v.nodeSelector, undefined],
      ['node names one node', ...p('j', { peerIP: '10.0.0.250', node: 'n1' }), (v) => v.node, 'n1'],
      ['peerSelector without asNumber', ...p('k', { peerSelector: 'all()' }), (v) => (v.peerSelector as { source: string }).source, 'all()'],
      ['ttlSecurity hop count', ...p('l', { peerIP: '10.0.0.250', ttlSecurity: 1 }), (v) => v.ttlSecurity, 1],
    ],
    [
      ['a bad selector, with its position', ...p('b1', { peerIP: '10.0.0.250', nodeSelector: "rack = 'r1'" }), /nodeSelector: bad selector .* at position 5/],
      ['peerSelector: asNumber must be empty', ...p('b2', { peerSelector: 'all()', asNumber: 64512 }), /must be empty with peerSelector/],
      ['a remote end is required', ...p('b3', { asNumber: 64512 }), /peerIP or peerSelector/],
      ['node and nodeSelector are exclusive', ...p('b4', { peerIP: '10.0.0.250', node: 'n1', nodeSelector: 'all()' }), /mutually exclusive/],
      ['peerIP and peerSelector are exclusive', ...p('b5', { peerIP: '10.0.0.250', peerSelector: 'all()' }), /mutually exclusive/],
      ['an invalid peerIP', ...p('b6', { peerIP: '10.0.0.999' }), /peerIP/],
      ['an invalid duration', ...p('b7', { peerIP: '10.0.0.1', maxRestartTime: '2 minutes' }), /maxRestartTime/],
      ['an unknown sourceAddress', ...p('b8', { peerIP: '10.0.0.1', sourceAddress: 'Auto' }), /sourceAddress/],
      ['a password reference needs name and key', ...p('b9', { peerIP: '10.0.0.1', password: { secretKeyRef: { name: 's' } } }), /secretKeyRef/],
    ],
  );
});

t.test('IPPool (ippool.go; defaults of clientv3/ippool.go filled in on read)', async (t) => {
  const p = (name: string, spec: Value) => [poolKey(name), poolValue(name, spec)] as const;
  const defaults = (v: Value) => [v.blockSize, v.ipipMode, v.vxlanMode, v.disabled, v.disableBGPExport, v.natOutgoing];
  run(
    t,
    [
      ['IPv4: blockSize 26, encapsulation Never, bools false', ...p('a', { cidr: '10.65.0.0/16' }), defaults, [26, 'Never', 'Never', false, false, false]],
      ['IPv6: blockSize 122', ...p('b', { cidr: 'fd00:10::/48' }), (v) => v.blockSize, 122],
      ['the CIDR is normalised (host bits cleared)', ...p('c', { cidr: '10.65.1.7/16' }), (v) => (v.cidr as { cidr: string }).cidr, '10.65.0.0/16'],
      ['nodeSelector defaults to all()', ...p('d', { cidr: '10.65.0.0/16' }), (v) => (v.nodeSelector as { source: string }).source, 'all()'],
      ['values as set', ...p('e', { cidr: '10.65.0.0/16', blockSize: 24, ipipMode: 'CrossSubnet', disabled: true, disableBGPExport: true, natOutgoing: true }), defaults, [24, 'CrossSubnet', 'Never', true, true, true]],
    ],
    [
      ['IPv4 blockSize is 20..32', ...p('b1', { cidr: '10.65.0.0/16', blockSize: 19 }), /blockSize/],
      ['IPv6 blockSize is 116..128', ...p('b2', { cidr: 'fd00::/48', blockSize: 64 }), /blockSize/],
      ['not IPIP and VXLAN at once', ...p('b3', { cidr: '10.65.0.0/16', ipipMode: 'Always', vxlanMode: 'Always' }), /both/],
      ['IPIP is IPv4 only', ...p('b4', { cidr: 'fd00::/48', ipipMode: 'Always' }), /IPv4 only/],
      ['an invalid CIDR', ...p('b5', { cidr: '10.65.0.0/33' }), /cidr/],
      ['a bad nodeSelector', ...p('b6', { cidr: '10.65.0.0/16', nodeSelector: 'has(' }), /nodeSelector/],
      ['an unknown mode', ...p('b7', { cidr: '10.65.0.0/16', ipipMode: 'Sometimes' }), /ipipMode/],
      ['cidr is required', ...p('b8', {}), /spec\.cidr: required/],
      ['blockSize not shorter than the pool', ...p('b9', { cidr: '10.65.0.0/24', blockSize: 20 }), /shorter than the pool/],
    ],
  );
});

t.test('IPAM block (block.go) and host affinity (block_affinity.go)', async (t) => {
  const withAttrs = blockValue('10.65.3.0/26', 'node-1', {
    allocations: [0, null, 1, 2],
    attributes: [
      { handle_id: 'ipip-tunnel-addr-node-1', secondary: { node: 'node-1', type: 'ipipTunnelAddress' } },
      { handle_id: 'k8s-pod-network.a', secondary: { namespace: 'default', node: 'node-1', pod: 'web-0' } },
      { handle_id: 'k8s-pod-network.b', secondary: { namespace: 'default', node: 'node-2', pod: 'web-1' } },
    ],
  });
  run(
    t,
    [
      ['owner from affinity "host:<node>"', blockKey('10.65.3.0/26'), withAttrs, (v) => v.node, 'node-1'],
      ['an address used on another node (secondary.node) is borrowed', blockKey('10.65.3.0/26'), withAttrs, (v) => v.borrowed, [{ address: '10.65.3.3', node: 'node-2' }]],
      ['null affinity: no owner', blockKey('10.65.4.0/26'), blockValue('10.65.4.0/26', null), (v) => v.node, undefined],
      ['"virtual:<name>" affinity: no node owner', blockKey('10.65.5.0/26'), JSON.stringify({ cidr: '10.65.5.0/26', affinity: 'virtual:vm-1' }), (v) => [v.node, v.affinity], [undefined, 'virtual:vm-1']],
      ['deprecated hostAffinity', blockKey('10.65.6.0/26'), JSON.stringify({ cidr: '10.65.6.0/26', hostAffinity: 'node-3' }), (v) => v.node, 'node-3'],
      ['deleted flag', blockKey('10.65.7.0/26'), blockValue('10.65.7.0/26', 'n', { deleted: true }), (v) => v.deleted, true],
      ['affinity state', affinityKey('node-1', '10.65.3.0/26'), '{"state":"pending","deleted":false}', (v) => [v.node, v.state], ['node-1', 'pending']],
      ['an empty affinity value means confirmed', affinityKey('node-1', '10.65.3.0/26'), '', (v) => v.state, 'confirmed'],
      ['pendingDeletion', affinityKey('node-1', '10.65.3.0/26'), '{"state":"pendingDeletion"}', (v) => v.state, 'pendingDeletion'],
    ],
    [
      ['the block CIDR must match its key', blockKey('10.65.7.0/26'), blockValue('10.65.8.0/26', 'n'), /does not match the key/],
      ['an allocation pointing nowhere', blockKey('10.65.9.0/26'), blockValue('10.65.9.0/26', 'n', { allocations: [5] }), /attribute 5/],
      ['cidr is required', blockKey('10.65.9.0/26'), '{"affinity":"host:n"}', /cidr: required/],
      ['malformed JSON', blockKey('10.65.1.0/26'), 'not json at all', /malformed JSON/],
      ['an unknown affinity state', affinityKey('node-1', '10.65.3.0/26'), '{"state":"maybe"}', /state/],
    ],
  );
});

t.test('keys we do not read produce nothing', async (t) => {
  t.equal(parseResource('/calico/bgp/v1/global/as_num', '64512'), undefined, 'legacy /calico/bgp/v1 ignored');
  t.equal(parseResource('/calico/resources/v3/projectcalico.org/workloadendpoints/ns/w', '{'), undefined, 'namespaced kinds ignored');
  t.equal(parseResource('/calico/ipam/v2/handle/k8s-pod-network.x', '{}'), undefined, 'IPAM handles ignored');
});
