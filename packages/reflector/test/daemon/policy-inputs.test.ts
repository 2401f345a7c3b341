/** The import policy's inputs from the datastore (daemon/policy-inputs.ts). */
import t from 'tap';
import { parsePrefix } from '@bgp-rr/bgp-speaker';
import { deriveConfig, fromList, type KeyValue } from '@bgp-rr/etcd-store';
import { buildImportPolicy } from '../../src/engine/import-policy.js';
import { policyInputs } from '../../src/daemon/policy-inputs.js';

t.test('policyInputs: from the datastore — pools, owners by affinity, borrowed addresses, service CIDRs', async (t) => {
  const res = (plural: string, name: string, spec: object): KeyValue => ({
    key: `/calico/resources/v3/projectcalico.org/${plural}/${name}`,
    value: JSON.stringify({ kind: plural === 'ippools' ? 'IPPool' : 'BGPConfiguration', apiVersion: 'projectcalico.org/v3', metadata: { name }, spec }),
    modRevision: 2,
  });
  const attrs = [
    { handle_id: 'a', secondary: { node: 'node-1', namespace: 'default', pod: 'web-0' } },
    { handle_id: 'b', secondary: { node: 'node-2', namespace: 'default', pod: 'web-1' } },
  ];
  const allocations: (number | null)[] = new Array<number | null>(64).fill(null);
  allocations[1] = 0;
  allocations[2] = 1;
  const kvs: KeyValue[] = [
    res('ippools', 'default-ipv4-ippool', { cidr: '172.16.0.0/16', blockSize: 26 }),
    res('bgpconfigurations', 'default', { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }], serviceLoadBalancerIPs: [{ cidr: '198.51.100.0/24' }] }),
    {
      key: '/calico/ipam/v2/assignment/ipv4/block/172.16.5.0-26',
      value: JSON.stringify({ cidr: '172.16.5.0/26', affinity: 'host:node-1', allocations, attributes: attrs, deleted: false }),
      modRevision: 3,
    },
    { key: '/calico/ipam/v2/host/node-3/ipv4/block/172.16.9.0-26', value: JSON.stringify({ state: 'confirmed', deleted: false }), modRevision: 4 },
    { key: '/calico/ipam/v2/host/node-4/ipv4/block/172.16.10.0-26', value: JSON.stringify({ state: 'pending', deleted: false }), modRevision: 5 },
  ];
  const snap = fromList(kvs, 5);
  const inp = policyInputs(snap, deriveConfig(snap, []), 'enforce');
  t.same([...inp.blocks], [['172.16.5.0/26', 'node-1'], ['172.16.9.0/26', 'node-3']], 'block affinity, then confirmed host affinities; pending ones own nothing');
  t.same([...(inp.borrowed ?? [])], [['172.16.5.2', 'node-2']]);
  t.same(inp.serviceCidrs, ['10.96.0.0/12', '198.51.100.0/24']);
  const policy = buildImportPolicy(inp);
  t.same(policy.evaluate(parsePrefix('172.16.5.0/26'), 'node-1'), { accepted: true });
  t.same(policy.evaluate(parsePrefix('172.16.5.2/32'), 'node-2'), { accepted: true });
  t.same(policy.evaluate(parsePrefix('172.16.10.0/26'), 'node-4'), { accepted: false, reason: 'no IPAM block for 172.16.10.0/26 in pool default-ipv4-ippool' });
  t.same(policy.evaluate(parsePrefix('10.96.0.0/12'), 'node-4'), { accepted: true });
});
