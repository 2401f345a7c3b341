/**
 * The Calico datastore bgp-rr reads, written as calicoctl and Calico IPAM write it to
 * etcd v3 (docs/calico-datastore.md §1-§2; the same layout as
 * test/harness/calico-cluster.ts): BGPConfiguration default (AS 64512, mesh
 * off), one BGPPeer with peerIP = the reflector and no node selector (all nodes), the
 * IPPool 172.16.0.0/12, and per client a Node with spec.bgp.ipv4Address, its IPAM
 * block with affinity host:<node> and the confirmed host affinity.
 */
import { randomUUID } from 'node:crypto';
import { AS, REFLECTOR } from './plan.mjs';

const RES = '/calico/resources/v3/projectcalico.org';
const IPAM = '/calico/ipam/v2';
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const dashed = (cidr) => cidr.replace('/', '-');

function resource(kind, name, spec, labels, status) {
  const metadata = { name, uid: randomUUID(), creationTimestamp: now() };
  if (labels) metadata.labels = labels;
  const obj = { kind, apiVersion: 'projectcalico.org/v3', metadata, spec };
  if (status) obj.status = status;
  return JSON.stringify(obj);
}

function blockValue(cidr, node) {
  const size = 2 ** (32 - Number(cidr.split('/')[1]));
  return JSON.stringify({
    cidr,
    affinity: `host:${node}`,
    affinity_claim_time: now(),
    allocations: new Array(size).fill(null),
    unallocated: Array.from({ length: size }, (_, i) => i),
    attributes: [],
    sequenceNumber: 0,
    sequenceNumberForAllocation: {},
    deleted: false,
  });
}

/** [key, value] pairs of the whole cluster. */
export function calicoKeys(clients, blockSize) {
  const kv = [
    [`${RES}/clusterinformations/default`, resource('ClusterInformation', 'default', { clusterGUID: randomUUID().replace(/-/g, ''), calicoVersion: 'v3.31.0', datastoreReady: true })],
    [`${RES}/bgpconfigurations/default`, resource('BGPConfiguration', 'default', { logSeverityScreen: 'Info', nodeToNodeMeshEnabled: false, asNumber: AS })],
    [`${IPAM}/config`, JSON.stringify({ strict_affinity: false, auto_allocate_blocks: true })],
    [`${RES}/ippools/default-ipv4-ippool`, resource('IPPool', 'default-ipv4-ippool', { cidr: '172.16.0.0/12', vxlanMode: 'Never', ipipMode: 'Never', natOutgoing: true, blockSize, nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'], assignmentMode: 'Automatic' })],
    [`${RES}/bgppeers/rr-bench`, resource('BGPPeer', 'rr-bench', { peerIP: REFLECTOR, asNumber: AS })],
  ];
  for (const c of clients) {
    const labels = { 'kubernetes.io/hostname': c.name, 'kubernetes.io/os': 'linux' };
    kv.push([`${RES}/nodes/${c.name}`, resource('Node', c.name, { bgp: { ipv4Address: `${c.addr}/16` }, orchRefs: [{ nodeName: c.name, orchestrator: 'k8s' }] }, labels, {})]);
    kv.push([`${IPAM}/assignment/ipv4/block/${dashed(c.prefix)}`, blockValue(c.prefix, c.name)]);
    kv.push([`${IPAM}/host/${c.name}/ipv4/block/${dashed(c.prefix)}`, JSON.stringify({ state: 'confirmed', deleted: false })]);
  }
  return kv;
}
