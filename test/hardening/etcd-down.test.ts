/**
 * etcd faults: every etcd member down, then the replica cut off from a
 * running etcd. Throughout, no BGP session drops and routes keep flowing between
 * nodes; the replica reports itself degraded; changes made while it could not see
 * etcd are applied when it can again (a node added meanwhile gets its session and
 * its route reaches the others).
 *
 * BGP_RR_ETCD_DOWN_SECONDS (default 60, the issue's scenario) sets how long
 * etcd stays down after the replica has noticed.
 */
import t from 'tap';
import { waitFor } from '../harness/index.js';
import { startProxy } from '../../packages/etcd-store/test/tcp-proxy.js';
import { startReflectorCluster, type ReflectorCluster } from '../harness/reflector-cluster.js';

const DOWN_SECONDS = Number(process.env.BGP_RR_ETCD_DOWN_SECONDS ?? 60);
const sessions = async (c: ReflectorCluster): Promise<string[]> => (await c.peers()).map((p) => `${p.node}@${p.since}`).sort();
const health = async (c: ReflectorCluster): Promise<string> => (await c.json<{ health: string }>(['status'])).health;

t.test('etcd down, then the replica cut off from etcd: no session dropped, changes applied on return', async (t) => {
  const c = await startReflectorCluster(t, { nodes: [2, 3] });
  const member = c.etcd.members[0]!;
  const proxy = await startProxy(t, c.block.addr(20), { host: member.address, port: 2379 });
  c.startReflector([], { etcdEndpoints: [proxy.url] });
  await c.reflectorReady();
  const n2 = await c.startNode(2);
  const n3 = await c.startNode(3);
  await c.waitRoutes('n2', ['172.16.3.0/24']);
  await c.waitRoutes('n3', ['172.16.2.0/24']);
  const before = await sessions(c);

  // 1. Every etcd member down.
  await c.etcd.stopAll();
  await waitFor(async () => (await health(c)) === 'degraded', { what: 'the replica reports etcd down (health degraded)', timeoutMs: 60_000, intervalMs: 500 });
  t.pass('etcd down: the replica runs on its last good configuration (degraded)');
  await n3.birdc(['disable', 'static1']);
  await c.waitRoutes('n2', []);
  await n3.birdc(['enable', 'static1']);
  await c.waitRoutes('n2', ['172.16.3.0/24']);
  t.pass('routes keep flowing while etcd is down (n3 withdrew and re-announced its block, n2 followed)');
  await new Promise((r) => setTimeout(r, DOWN_SECONDS * 1000));
  t.same(await sessions(c), before, `after ${DOWN_SECONDS} s more with etcd down: no session dropped`);
  await c.etcd.startAll();
  await waitFor(async () => (await health(c)) === 'ok', { what: 'the replica back on etcd', timeoutMs: 90_000, intervalMs: 500 });
  await c.ds.addNode(c.nodeSpec(4));
  await c.startNode(4);
  await c.waitEstablished(['n2', 'n3', 'n4']);
  await c.waitRoutes('n2', ['172.16.3.0/24', '172.16.4.0/24']);
  t.pass('etcd back: a node added afterwards gets its session and its route reaches n2');

  // 2. etcd runs, the replica cannot reach it; a node is added meanwhile.
  const before2 = await sessions(c);
  proxy.cut();
  // The cut is effective at once (every relayed connection reset, new ones refused): what is written now is unseen.
  await c.ds.addNode(c.nodeSpec(6));
  const n6 = await c.startNode(6);
  await n2.birdc(['disable', 'static1']);
  await c.waitRoutes('n3', ['172.16.4.0/24']);
  await n2.birdc(['enable', 'static1']);
  await c.waitRoutes('n3', ['172.16.2.0/24', '172.16.4.0/24']);
  t.pass('cut off from etcd: routes keep flowing');
  t.notOk((await c.peers()).some((p) => p.node === 'n6'), 'n6, added while the replica could not see etcd, is not a peer yet');
  const st = await c.json<{ health: string; etcd: { state: string; lastError: string | null } }>(['status']);
  t.comment(`replica while cut off from etcd: health ${st.health}, etcd ${st.etcd.state}${st.etcd.lastError ? ` (${st.etcd.lastError})` : ''}`);
  proxy.restore();
  await c.waitEstablished(['n2', 'n3', 'n4', 'n6']);
  await c.waitRoutes('n3', ['172.16.2.0/24', '172.16.4.0/24', '172.16.6.0/24']);
  t.pass('reconnected: the change made meanwhile is applied (n6 Established, its block at n3)');
  t.ok(n6, 'n6 running');
  const after = (await sessions(c)).filter((s) => !s.startsWith('n6@'));
  t.same(after, before2, 'no session of n2, n3, n4 dropped');
});
