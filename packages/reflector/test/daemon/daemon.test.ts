/**
 * `bgp-rr run` against a real etcd and real BIRD 1.6 nodes (calico/node's BIRD config)
 * on loopback: peers from the datastore, RFC 4456 reflection, the CLI, live changes.
 */
import t from 'tap';
import { waitFor } from '../../../../test/harness/index.js';
import type { PeerDetail, PeerRow, RouteRow, StatusInfo } from '../../src/control/protocol.js';
import { CLUSTER_ID, startReflectorCluster } from '../../../../test/harness/reflector-cluster.js';

t.test('bgp-rr run reflects every node block to every other node, and the CLI shows it', async (t) => {
  const c = await startReflectorCluster(t, { nodes: [2, 3, 4] });
  c.startReflector();
  await c.reflectorReady();
  await c.startNode(2);
  await c.startNode(3);
  // n4 also announces n2's block and a prefix outside every pool: import policy rejects both.
  await c.startNode(4, { announce: ['172.16.4.0/24', '172.16.2.0/24', '10.99.0.0/16'] });

  const all = ['172.16.2.0/24', '172.16.3.0/24', '172.16.4.0/24'];
  for (const i of [2, 3, 4]) {
    const mine = `172.16.${i}.0/24`;
    const routes = await c.waitRoutes(`n${i}`, all.filter((p) => p !== mine));
    for (const [prefix, paths] of routes) {
      const owner = c.block.addr(Number(prefix.split('.')[2]));
      t.equal(paths.length, 1, `n${i}: ${prefix}: one path (one replica)`);
      const r = paths[0]!;
      t.equal(r.nextHop, owner, `n${i}: ${prefix} via its node (NEXT_HOP untouched)`);
      t.equal(r.originatorId, owner, `n${i}: ${prefix} ORIGINATOR_ID = the originating node (RFC 4456 §8)`);
      t.same(r.clusterList, [CLUSTER_ID], `n${i}: ${prefix} CLUSTER_LIST = our cluster id`);
    }
  }

  const peers = await c.json<PeerRow[]>(['peers']);
  t.same(peers.map((p) => [p.node, p.address, p.state, p.as, p.client]), [2, 3, 4].map((i) => [`n${i}`, c.block.addr(i), 'Established', 64512, true]), 'bgp-rr peers --json');
  t.ok(peers.every((p) => p.accepted === 1 && p.advertised === 2), 'accepted/advertised per peer');
  const text = await c.cli(['peers']);
  t.equal(text.code, 0);
  t.match(text.stdout, /^NODE\s+ADDRESS\s+AS\s+FAMILIES\s+STATE/m, 'text table header');
  t.match(text.stdout, new RegExp(`^n2\\s+${c.block.addr(2).replace(/\./g, '\\.')}\\s+64512\\s+ipv4\\s+Established`, 'm'));

  const routes = await c.json<RouteRow[]>(['routes']);
  t.same(routes.map((r) => r.prefix).sort(), all, 'bgp-rr routes --json: the Loc-RIB');
  const one = await c.json<RouteRow[]>(['routes', '172.16.3.0/24']);
  t.equal(one.length, 1);
  t.same([one[0]!.paths[0]!.best, one[0]!.paths[0]!.node, one[0]!.paths[0]!.nextHop], [true, 'n3', c.block.addr(3)]);

  const detail = await c.json<PeerDetail>(['peer', c.block.addr(2)]);
  t.equal(detail.timers.holdTime, 9, 'hold time: the smaller offer (ours, 9 s) against BIRD 240 s');
  t.ok(detail.capabilities.peer.some((x) => x.startsWith('add-path')), 'peer capabilities: ADD-PATH');
  t.ok(detail.capabilities.local.some((x) => x.startsWith('graceful-restart') && x.includes(' R')), 'local capabilities: GR with R-bit');
  t.ok(detail.messages.received.update >= 1 && detail.messages.sent.update >= 1, 'message counters');
  t.equal((await c.json<PeerDetail>(['peer', 'n3'])).address, c.block.addr(3), 'peer by node name');
  const missing = await c.cli(['peer', '10.200.0.1']);
  t.equal(missing.code, 1, 'unknown peer: exit 1');
  t.match(missing.stderr, /no peer 10\.200\.0\.1/);

  const rejected = await c.json<RouteRow[]>(['routes', '--rejected']);
  t.same(
    rejected.map((r) => [r.prefix, r.paths.map((p) => [p.node, p.rejected?.kind, p.rejected?.reason])]).sort(),
    [
      ['10.99.0.0/16', [['n4', 'policy', '10.99.0.0/16 is outside every IP pool and service CIDR']]],
      ['172.16.2.0/24', [['n4', 'policy', 'block 172.16.2.0/24 is owned by n2']]],
    ],
    'bgp-rr routes --rejected: what import policy refused, with the kind and why',
  );
  t.equal(peers.find((p) => p.node === 'n4')?.received, 3, 'n4: 3 received');
  t.equal(peers.find((p) => p.node === 'n4')?.accepted, 1, 'n4: 1 accepted');
  t.match(c.rr!.output, /"msg":"route rejected"/, 'rejections logged');
  const rejectedLog = c.rr!.output.split('\n').filter((l) => l.includes('"msg":"route rejected"') && l.includes('"prefix":"172.16.2.0/24"'));
  t.equal(rejectedLog.length, 1, 'a rejection is logged once per prefix, with why');
  t.match(rejectedLog[0], /"reason":"block 172\.16\.2\.0\/24 is owned by n2"/);

  const status = await c.json<StatusInfo>(['status']);
  t.same([status.routerId, status.clusterId, status.as, status.health, status.etcd.state], [c.rrAddress, CLUSTER_ID, 64512, 'ok', 'watching']);
  t.same([status.counts.peersConfigured, status.counts.peersEstablished, status.counts.prefixes.ipv4], [3, 3, 3]);
  t.ok(status.tablesReleased);
  t.match((await c.cli(['status'])).stdout, /Cluster ID:\s+244\.0\.0\.1/);

  const replicas = await waitFor(async () => {
    const r = await c.cli(['replicas', '--json', '--etcd-endpoints', c.etcd.endpoints.join(',')]);
    if (r.code !== 0) throw new Error(r.stderr);
    const v = JSON.parse(r.stdout) as { replicas: { name: string; peers?: { configured: number; established: number } }[] };
    return v.replicas[0]?.peers?.established === 3 ? v.replicas : undefined;
  }, { what: 'bgp-rr replicas shows this replica with its peer counts', intervalMs: 500 });
  t.same(replicas.map((r) => [r.name, r.peers]), [[`rr-${c.block.n}`, { configured: 3, established: 3 }]], 'bgp-rr replicas: from etcd, with peer counts');
  t.match((await c.cli(['replicas', '--etcd-endpoints', c.etcd.endpoints.join(',')])).stdout, /^NAME\s+ROUTER ID/m);

  const probed = await waitFor(async () => {
    const s = await c.json<StatusInfo>(['status']);
    return s.etcd.latestRevision > 0 ? s : undefined;
  }, { what: 'etcd revision probed', intervalMs: 500 });
  t.ok(probed.etcd.latestRevision <= probed.etcd.revision, 'every datastore revision in etcd is applied');
  const metrics = await fetch(`http://${c.rrAddress}:9179/metrics`).then((r) => r.text());
  t.match(metrics, /^bgp_rr_sessions\{state="Established"\} 3$/m, 'metrics: sessions by state');
  t.match(metrics, new RegExp(`^bgp_rr_peer_prefixes\\{peer="${c.block.addr(4).replace(/\./g, '\\.')}",node="n4",family="ipv4",kind="rejected"\\} 2$`, 'm'), 'metrics: prefixes per peer and family');
  t.match(metrics, /^bgp_rr_updates_received_total [1-9]\d*$/m, 'metrics: updates in');
  t.match(metrics, /^bgp_rr_updates_sent_total [1-9]\d*$/m, 'metrics: updates out');
  t.match(metrics, /^bgp_rr_etcd_revision_lag 0$/m, 'metrics: etcd revision lag');
  t.match(metrics, /^bgp_rr_etcd_connection_state\{state="watching"\} 1$/m, 'metrics: etcd connection state');
  t.match(metrics, /^nodejs_eventloop_lag_seconds \d/m, 'metrics: event-loop lag');
  t.match(metrics, /^process_resident_memory_bytes [1-9]/m, 'metrics: RSS');
  t.match(c.rr!.output, /"msg":"session established"/, 'session up logged');
  t.match(c.rr!.output, /"msg":"peer configuration applied"/, 'configuration changes logged');

  t.test('invalid etcd data: skipped with a log line naming the key, once; nothing else touched', async (t) => {
    const before = await c.json<PeerDetail>(['peer', 'n2']);
    const root = '/calico/resources/v3/projectcalico.org';
    const bad = [`${root}/nodes/broken`, `${root}/ippools/broken`];
    const logged = (key: string): number => c.rr!.output.split('\n').filter((l) => l.includes('"msg":"invalid etcd data skipped"') && l.includes(`"key":"${key}"`)).length;
    await c.etcd.put(bad[0]!, '{"kind": "Node", not json');
    await waitFor(async () => logged(bad[0]!) === 1, { what: `a log line naming ${bad[0]}` });
    await c.etcd.put(bad[1]!, '{"kind":"IPPool","apiVersion":"projectcalico.org/v3","metadata":{"name":"broken"},"spec":{"cidr":"not-a-cidr"}}');
    await waitFor(async () => logged(bad[1]!) === 1, { what: `a log line naming ${bad[1]}` });
    t.equal(logged(bad[0]!), 1, 'the first key is not logged again at the next change');
    for (const k of bad) await c.etcd.del(k);
    t.same([...(await c.birdRoutes('n2')).keys()].sort(), ['172.16.3.0/24', '172.16.4.0/24'], 'routes still reflected');
    t.equal((await c.json<PeerDetail>(['peer', 'n2'])).establishedTransitions, before.establishedTransitions, 'n2 session untouched');
  });

  t.test('etcd unreachable: running on the last good configuration, sessions untouched; caught up when it returns', async (t) => {
    const before = await c.json<PeerDetail>(['peer', 'n2']);
    await c.etcd.stopAll();
    await waitFor(async () => (await c.json<StatusInfo>(['status'])).health === 'degraded', { what: 'health degraded' });
    const p = await c.json<PeerRow[]>(['peers']);
    t.ok(p.every((x) => x.state === 'Established'), 'every session still up');
    t.match(c.rr!.output, /etcd unreachable: running on the last good configuration/, 'logged');
    t.same([...(await c.birdRoutes('n2')).keys()].sort(), ['172.16.3.0/24', '172.16.4.0/24'], 'routes still reflected');
    await c.etcd.startAll();
    await waitFor(async () => (await c.json<StatusInfo>(['status'])).health === 'ok', { what: 'health ok again', timeoutMs: 60_000 });
    t.equal((await c.json<PeerDetail>(['peer', 'n2'])).establishedTransitions, before.establishedTransitions, 'n2 session untouched');
  });

  t.test('a node added in etcd: its session and routes appear, no other session bounces', async (t) => {
    const before = await c.json<PeerDetail>(['peer', 'n2']);
    await c.ds.addNode(c.nodeSpec(5));
    await c.startNode(5);
    await c.waitRoutes('n2', ['172.16.3.0/24', '172.16.4.0/24', '172.16.5.0/24']);
    await c.waitRoutes('n5', ['172.16.2.0/24', '172.16.3.0/24', '172.16.4.0/24']);
    t.equal((await c.json<PeerDetail>(['peer', 'n2'])).establishedTransitions, before.establishedTransitions, 'n2 session untouched');
  });

  t.test('a node deleted in etcd: its routes withdrawn everywhere, its session refused', async (t) => {
    const before = await c.json<PeerDetail>(['peer', 'n2']);
    await c.ds.deleteNode({ name: 'n5', blocks: ['172.16.5.0/24'] });
    await c.waitRoutes('n2', ['172.16.3.0/24', '172.16.4.0/24']);
    await c.waitRoutes('n3', ['172.16.2.0/24', '172.16.4.0/24']);
    const peers = await waitFor(async () => {
      const p = await c.json<PeerRow[]>(['peers']);
      return p.length === 3 ? p : undefined;
    }, { what: 'n5 gone from bgp-rr peers' });
    t.notOk(peers.some((p) => p.node === 'n5'));
    t.match(c.rr!.output, /"node":"n5","from":"Established","to":"\w+","reason":"[^"]+","msg":"session down"/, 'session down logged with its reason');
    t.equal((await c.json<PeerDetail>(['peer', 'n2'])).establishedTransitions, before.establishedTransitions, 'n2 session untouched');
  });
});
