/** `bgp-rr config` against a real etcd. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Teardown } from '../../../../test/harness/cleanup.js';
import { startEtcd, type EtcdOptions } from '../../../../test/harness/etcd.js';
import { tmpDir, waitFor } from '../../../../test/harness/proc.js';
import { affinityKey, blockKey, resourceKey } from '@bgp-rr/etcd-store';
import { EXIT } from '../../src/cli/exit-codes.js';
import { main } from '../../src/cli/main.js';
import { capture } from './io.js';

const v3 = (kind: string, name: string, spec: object, labels?: Record<string, string>): string =>
  JSON.stringify({ kind, apiVersion: 'projectcalico.org/v3', metadata: { name, ...(labels ? { labels } : {}) }, spec });

async function seeded(t: Teardown, opts: EtcdOptions = {}) {
  const etcd = await startEtcd(t, opts);
  await etcd.put(resourceKey('bgpconfigurations', 'default'), v3('BGPConfiguration', 'default', { asNumber: 65000, nodeToNodeMeshEnabled: false }));
  await etcd.put(resourceKey('nodes', 'node-1'), v3('Node', 'node-1', { bgp: { ipv4Address: '10.0.0.11/24' } }, { rack: 'r1' }));
  await etcd.put(resourceKey('nodes', 'node-2'), v3('Node', 'node-2', { bgp: { ipv4Address: '10.0.0.12/24', asNumber: 65002 } }, { rack: 'r2' }));
  await etcd.put(resourceKey('bgppeers', 'rr-1'), v3('BGPPeer', 'rr-1', { peerIP: '10.0.0.250', asNumber: 65000, maxRestartTime: '120s' }));
  await etcd.put(resourceKey('bgppeers', 'rr-other'), v3('BGPPeer', 'rr-other', { peerIP: '10.0.0.251', asNumber: 65000 }));
  await etcd.put(resourceKey('ippools', 'default-ipv4-ippool'), v3('IPPool', 'default-ipv4-ippool', { cidr: '172.16.0.0/12', blockSize: 24, ipipMode: 'Always' }));
  await etcd.put(blockKey('172.16.1.0/24'), JSON.stringify({ cidr: '172.16.1.0/24', affinity: 'host:node-1', allocations: [], attributes: [] }));
  await etcd.put(affinityKey('node-1', '172.16.1.0/24'), '{"state":"confirmed","deleted":false}');
  await etcd.put(resourceKey('bgppeers', 'broken'), v3('BGPPeer', 'broken', { peerIP: '10.0.0.250', nodeSelector: "rack = 'r1'" }));
  return etcd;
}

const args = (endpoint: string) => ['--etcd-endpoints', endpoint, '--listen', '10.0.0.250', '--name', 'rr-a', '--router-id', '10.0.0.250'];

t.test('--json: revision, AS, peers, pools, blocks and errors', async (t) => {
  const etcd = await seeded(t);
  const io = capture();
  t.equal(await main(['config', '--json', ...args(etcd.endpoints[0]!)], {}, io), 0, io.err);
  const v = JSON.parse(io.out);
  t.equal(v.revision, await etcd.revision());
  t.same([v.asNumber, v.name, v.routerId, v.clusterId], [65000, 'rr-a', '10.0.0.250', '10.0.0.250'], 'cluster id defaults to the router id');
  t.equal(v.nodeToNodeMeshEnabled, false, 'nodeToNodeMeshEnabled as set in BGPConfiguration default');
  t.same(v.peers.map((p: { name: string; address: string; asNumber: number; client: boolean; gracefulRestartTime: number }) => [p.name, p.address, p.asNumber, p.client, p.gracefulRestartTime]), [
    ['node-1', '10.0.0.11', 65000, true, 120],
    ['node-2', '10.0.0.12', 65002, true, 120],
  ]);
  t.same(v.pools, [{ name: 'default-ipv4-ippool', cidr: '172.16.0.0/12', blockSize: 24, disabled: false, disableBGPExport: false, ipipMode: 'Always', vxlanMode: 'Never' }]);
  t.same(v.blocks, [{ cidr: '172.16.1.0/24', node: 'node-1' }]);
  t.equal(v.errors.length, 1);
  t.equal(v.errors[0].key, resourceKey('bgppeers', 'broken'));
  t.match(v.errors[0].reason, /bad selector/);
  t.same(v.addresses, ['10.0.0.250:179']);
  t.same([v.etcd.endpoint, v.etcd.state], [etcd.endpoints[0], 'watching'], 'the endpoint in use, and the watch is up');
});

t.test('text output, settings from the environment and a config file', async (t) => {
  const etcd = await seeded(t);
  const dir = tmpDir(t, 'cfg-');
  const file = join(dir, 'bgp-rr.json');
  writeFileSync(file, JSON.stringify({ listen: ['10.0.0.250'], clusterId: '244.0.0.1', name: 'from-file', etcdEndpoints: 'http://127.0.0.1:1' }));
  const io = capture();
  t.equal(await main(['config', '--config', file], { ETCD_ENDPOINTS: etcd.endpoints[0]!, BGP_RR_NAME: 'from-env' }, io), 0, io.err);
  t.match(io.out, /Name:\s+from-env/, 'env beats file');
  t.match(io.out, /Cluster ID:\s+244\.0\.0\.1/, 'file beats default');
  t.match(io.out, /AS:\s+65000/);
  t.match(io.out, /Node mesh:\s+off/);
  t.match(io.out, /Peers \(2\)\nNODE\s+ADDRESS\s+AS\s+CLIENT/);
  t.match(io.out, /node-2\s+10\.0\.0\.12\s+65002\s+yes\s+179/);
  t.match(io.out, /Blocks \(1\)\nCIDR\s+NODE\n172\.16\.1\.0\/24\s+node-1/);
  t.match(io.out, /Invalid resources, skipped \(1\)/);
});

t.test('--watch: a JSON line for every change, until interrupted', async (t) => {
  const etcd = await seeded(t);
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const io = capture(ac.signal);
  const done = main(['config', '--watch', ...args(etcd.endpoints[0]!)], {}, io);
  await waitFor(() => io.lines().length >= 1, { what: 'the first line' });
  t.equal(JSON.parse(io.lines()[0]!).peers.length, 2, 'the first line is the whole configuration');
  await etcd.put(resourceKey('nodes', 'node-3'), v3('Node', 'node-3', { bgp: { ipv4Address: '10.0.0.13/24' } }));
  await waitFor(() => io.lines().length >= 2, { what: 'a line for the new node' });
  const second = JSON.parse(io.lines()[1]!);
  t.same(second.peers.map((p: { name: string }) => p.name), ['node-1', 'node-2', 'node-3']);
  t.same(second.change.nodes, { added: ['node-3'] });
  await etcd.del(resourceKey('bgppeers', 'broken'));
  await waitFor(() => io.lines().length >= 3, { what: 'a line for the removed invalid peer' });
  t.same(JSON.parse(io.lines()[2]!).errors, []);
  ac.abort();
  t.equal(await done, 0);
});

t.test('TLS and several endpoints from calicoctl\'s ETCD_* variables', async (t) => {
  const etcd = await seeded(t, { tls: true });
  const dead = `https://${etcd.block.addr(200)}:2379`; // nothing listens there
  const env = { ETCD_ENDPOINTS: `${dead},${etcd.endpoints[0]!}`, ETCD_CA_CERT_FILE: etcd.tls!.caFile, ETCD_CERT_FILE: etcd.tls!.certFile, ETCD_KEY_FILE: etcd.tls!.keyFile };
  const io = capture();
  t.equal(await main(['config', '--json', '--listen', '10.0.0.250'], env, io), 0, io.err);
  const v = JSON.parse(io.out);
  t.equal(v.etcd.endpoint, etcd.endpoints[0], 'the live endpoint, over TLS');
  t.same(v.peers.map((p: { name: string }) => p.name), ['node-1', 'node-2']);
  const noKey = capture();
  t.equal(await main(['config', '--listen', '10.0.0.250'], { ...env, ETCD_KEY_FILE: '' }, noKey), 2, 'a certificate without its key is a usage error');
  t.match(noKey.err, /go together/);
});

t.test('--listen on a wildcard: a BGPPeer naming any host address is ours', async (t) => {
  const etcd = await seeded(t);
  await etcd.put(resourceKey('bgppeers', 'rr-loopback'), v3('BGPPeer', 'rr-loopback', { peerIP: '127.0.0.1', node: 'node-2' }));
  const run = async (listen: string) => {
    const io = capture();
    t.equal(await main(['config', '--json', '--etcd-endpoints', etcd.endpoints[0]!, '--listen', listen], {}, io), 0, io.err);
    return JSON.parse(io.out) as { addresses: string[]; peers: { name: string; localAddress: string }[] };
  };
  const wild = await run('0.0.0.0');
  t.ok(wild.addresses.includes('127.0.0.1:179'), '0.0.0.0 stands for every IPv4 address of the host');
  t.notOk(wild.addresses.some((a) => a.startsWith('[')), 'and no IPv6 address');
  t.same(wild.peers.map((p) => [p.name, p.localAddress]), [['node-2', '127.0.0.1']]);
  const one = await run('10.0.0.250');
  t.same(one.addresses, ['10.0.0.250:179'], 'a specific address stands for itself');
  t.same(one.peers.map((p) => [p.name, p.localAddress]), [['node-1', '10.0.0.250'], ['node-2', '10.0.0.250']]);
});

t.test('etcd unreachable: exit 2 (nothing was done, as for replicas) with the reason', async (t) => {
  const etcd = await startEtcd(t);
  await etcd.stopAll();
  const ac = new AbortController();
  const io = capture(ac.signal);
  const done = main(['config', ...args(etcd.endpoints[0]!)], {}, io);
  setTimeout(() => ac.abort(), 2000);
  t.equal(await done, EXIT.NOT_DONE);
  t.match(io.err, /no snapshot from etcd/);
});
