import t from 'tap';
import { blockCidrFromKeyPart, escapeName, prefixRangeEnd, unescapeName } from '../src/keys.js';
import { parseKey } from '../src/kinds.js';

t.test('Calico key layout (libcalico-go model/resource.go, block.go, block_affinity.go)', async (t) => {
  const cases: [string, string, ReturnType<typeof parseKey>][] = [
    ['cluster-scoped resource: <root><plural>/<name>', '/calico/resources/v3/projectcalico.org/nodes/node-1', { kind: 'Node', name: 'node-1' }],
    ['BGPPeer', '/calico/resources/v3/projectcalico.org/bgppeers/rr-1', { kind: 'BGPPeer', name: 'rr-1' }],
    ['per-node BGPConfiguration node.<name>', '/calico/resources/v3/projectcalico.org/bgpconfigurations/node.n1', { kind: 'BGPConfiguration', name: 'node.n1' }],
    ['IPPool', '/calico/resources/v3/projectcalico.org/ippools/default-ipv4-ippool', { kind: 'IPPool', name: 'default-ipv4-ippool' }],
    ['name.go: %2f unescapes to /', '/calico/resources/v3/projectcalico.org/nodes/a%2fb', { kind: 'Node', name: 'a/b' }],
    ['name.go: %25 unescapes to %', '/calico/resources/v3/projectcalico.org/nodes/a%252f', { kind: 'Node', name: 'a%2f' }],
    ['namespaced kinds (three parts) are not ours', '/calico/resources/v3/projectcalico.org/workloadendpoints/ns/wep', undefined],
    ['other plurals are ignored', '/calico/resources/v3/projectcalico.org/felixconfigurations/default', undefined],
    ['IPAM block: masked CIDR with / as -', '/calico/ipam/v2/assignment/ipv4/block/10.65.3.0-26', { kind: 'IPAMBlock', name: '10.65.3.0/26', cidr: '10.65.3.0/26' }],
    ['IPv6 block', '/calico/ipam/v2/assignment/ipv6/block/fd00:10::-122', { kind: 'IPAMBlock', name: 'fd00:10::/122', cidr: 'fd00:10::/122' }],
    ['host affinity', '/calico/ipam/v2/host/node-1/ipv4/block/10.65.3.0-26', { kind: 'BlockAffinity', name: 'node-1/10.65.3.0/26', node: 'node-1', cidr: '10.65.3.0/26' }],
    ['IPAM handles are ignored', '/calico/ipam/v2/handle/k8s-pod-network.ab12', undefined],
    ['IPAM config is ignored', '/calico/ipam/v2/config', undefined],
    ['legacy /calico/bgp/v1 keys are ignored', '/calico/bgp/v1/global/as_num', undefined],
    ['legacy rr_v4 keys are ignored', '/calico/bgp/v1/rr_v4/10.0.0.250', undefined],
    ['empty name', '/calico/resources/v3/projectcalico.org/nodes/', undefined],
  ];
  for (const [name, key, want] of cases) t.same(parseKey(key), want, name);
});

t.test('name escaping round trip', async (t) => {
  for (const s of ['plain', 'a/b', '100%', '%2f', 'x%25y/z']) t.equal(unescapeName(escapeName(s)), s, s);
  t.equal(unescapeName('A%2Fb'), 'A/b', 'upper-case escape');
});

t.test('block key part and range end', async (t) => {
  t.equal(blockCidrFromKeyPart('10.0.0.0-24'), '10.0.0.0/24');
  t.equal(blockCidrFromKeyPart('nodash'), undefined);
  t.equal(prefixRangeEnd('/calico/ipam/v2/'), '/calico/ipam/v20');
});
