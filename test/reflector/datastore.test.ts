/**
 * The test datastore is what Calico writes: a cluster seeded by
 * test/harness/calico-cluster.ts (through the etcd3 client and through etcdctl
 * transactions) is read back by @bgp-rr/etcd-store exactly as a replica reads it:
 * no validation issue, every node a route-reflector client of each replica address,
 * every block owned by its node; node deletion and BGPPeer changes show up too.
 */
import t from 'tap';
import { WATCHED_PREFIXES, deriveConfig, fromList, listPrefixes, type DesiredConfig } from '@bgp-rr/etcd-store';
import { CalicoDatastore, etcdctlWriter, type NodeSpec } from '../harness/calico-cluster.js';
import { startEtcd, type EtcdCluster } from '../harness/etcd.js';
import { requireTool, run } from '../harness/index.js';

const nodes: NodeSpec[] = [1, 2, 3].map((k) => ({
  name: `node-${k}`,
  ipv4: `10.9.1.${k}/16`,
  ipv6: `fd00:9::1${k}/64`,
  blocks: [`172.16.${k}.0/24`, `fd10::${(k * 256).toString(16)}/120`],
}));

const spec = {
  pools: [
    { name: 'default-ipv4-ippool', cidr: '172.16.0.0/16', blockSize: 24 },
    { name: 'default-ipv6-ippool', cidr: 'fd10::/48', blockSize: 120 },
  ],
  reflectors: [
    { name: 'rr-1', peerIP: '10.9.0.1' },
    { name: 'rr-1-v6', peerIP: 'fd00:9::1' },
  ],
  nodes,
};

async function derive(etcd: EtcdCluster, address: string): Promise<DesiredConfig> {
  const list = await listPrefixes(etcd.client(), WATCHED_PREFIXES);
  return deriveConfig(fromList(list.kvs, list.revision), [{ address }]);
}

for (const via of ['etcd3', 'etcdctl'] as const) {
  t.test(`seeded through ${via}, read back as a replica reads it`, async (t) => {
    const etcd = await startEtcd(t);
    const etcdctl = requireTool('etcdctl');
    const writer = via === 'etcd3' ? etcd : etcdctlWriter((args, input) => run(etcdctl, args, { extraEnv: { ETCDCTL_API: '3' }, ...(input === undefined ? {} : { input }) }), etcd.endpoints);
    const ds = new CalicoDatastore(writer);
    await ds.seed(spec);

    let c = await derive(etcd, '10.9.0.1');
    t.same(c.issues, [], 'no validation issue');
    t.equal(c.asNumber, 64512, 'global AS from BGPConfiguration default');
    t.same(c.peers.map((p) => [p.name, p.address, p.asNumber, p.routeReflectorClient]), nodes.map((n) => [n.name, n.ipv4!.split('/')[0], 64512, true]), 'every node is a client of the IPv4 replica address');
    t.same([...c.blockOwners].sort(), nodes.flatMap((n) => n.blocks.map((b) => [b, n.name])).sort(), 'every block owned by its node');
    const v6 = await derive(etcd, 'fd00:9::1');
    t.same(v6.peers.map((p) => p.address), nodes.map((n) => n.ipv6!.split('/')[0]), 'IPv6 BGPPeer selects the nodes at their IPv6 addresses');

    await ds.deleteNode(nodes[2]!);
    c = await derive(etcd, '10.9.0.1');
    t.same(c.peers.map((p) => p.name), ['node-1', 'node-2'], 'a deleted node is no longer a peer');
    t.notOk(c.blockOwners.has('172.16.3.0/24'), 'and its block is released');

    await ds.putBGPPeer('rr-1', { peerIP: '10.9.0.1', nodeSelector: "kubernetes.io/hostname != 'node-2'" });
    c = await derive(etcd, '10.9.0.1');
    t.same(c.peers.map((p) => p.name), ['node-1'], 'a nodeSelector narrows the peers');
    await ds.addNode(nodes[2]!);
    c = await derive(etcd, '10.9.0.1');
    t.same(c.peers.map((p) => p.name), ['node-1', 'node-3'], 'an added node is selected');
  });
}
