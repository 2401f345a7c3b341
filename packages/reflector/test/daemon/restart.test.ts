/**
 * Graceful restart with real BIRD 1.6 nodes (RFC 4724): a node's BIRD restarting keeps
 * its routes reflected; bgp-rr stopped with SIGTERM leaves its routes at the clients
 * and comes back without a partial table; `bgp-rr drain` withdraws them with a Cease.
 */
import t from 'tap';
import { waitFor } from '../../../../test/harness/index.js';
import type { PeerRow, RouteRow, StatusInfo } from '../../src/control/protocol.js';
import { startReflectorCluster } from '../../../../test/harness/reflector-cluster.js';

const ALL = ['172.16.2.0/24', '172.16.3.0/24', '172.16.4.0/24'];
const others = (i: number): string[] => ALL.filter((p) => p !== `172.16.${i}.0/24`);

t.test('graceful restart both ways, and drain', async (t) => {
  const c = await startReflectorCluster(t, { nodes: [2, 3, 4] });
  c.startReflector();
  await c.reflectorReady();
  for (const i of [2, 3, 4]) await c.startNode(i);
  for (const i of [2, 3, 4]) await c.waitRoutes(`n${i}`, others(i));

  t.test('helper: a node BIRD killed and restarted with GR keeps its route reflected (RFC 4724 §4.2)', async (t) => {
    const n3 = c.nodes.get('n3')!;
    await n3.kill('SIGKILL');
    await waitFor(async () => (await c.json<PeerRow[]>(['peers'])).find((p) => p.node === 'n3' && p.state !== 'Established'), { what: 'n3 session down at bgp-rr' });
    const stale = await c.json<RouteRow[]>(['routes', '172.16.3.0/24']);
    t.equal(stale[0]?.paths[0]?.stale, true, 'n3 route kept, marked stale');
    t.ok((await c.birdRoutes('n2')).has('172.16.3.0/24'), 'n2 still holds n3 block while n3 restarts');
    await n3.start(true);
    await waitFor(async () => (await c.json<RouteRow[]>(['routes', '172.16.3.0/24']))[0]?.paths.every((p) => !p.stale) === true, { what: 'n3 route refreshed after its End-of-RIB', timeoutMs: 60_000 });
    t.ok((await c.birdRoutes('n2')).has('172.16.3.0/24'), 'n2 holds it still');
    await c.waitRoutes('n3', others(3));
  });

  t.test('restarting speaker: SIGTERM closes without NOTIFICATION, clients keep our routes; on return they get the full table', async (t) => {
    const exit = await c.rr!.kill('SIGTERM');
    void exit;
    t.equal(c.rr!.exitInfo?.code, 0, 'bgp-rr exits 0 on SIGTERM');
    t.match(c.rr!.output, /"how":"graceful"/, 'stopped gracefully');
    t.match(c.rr!.output, /"reason":"closed locally without NOTIFICATION \(graceful restart, RFC 4724\)"/, 'sessions down for the local close, said as such');
    t.notMatch(c.rr!.output, /TCP connection failed: closed locally/, 'not as a failed TCP connection');
    await waitFor(async () => (await c.nodes.get('n2')!.sessions()).size > 0 && [...(await c.nodes.get('n2')!.sessions()).values()].every((s) => !/Established/.test(s)), { what: 'n2 session down' });
    for (const i of [2, 3, 4]) t.same([...(await c.birdRoutes(`n${i}`)).keys()].sort(), others(i), `n${i} keeps the reflected routes while bgp-rr is down (BIRD GR helper)`);
    c.startReflector();
    await c.reflectorReady();
    await waitFor(async () => (await c.json<StatusInfo>(['status'])).tablesReleased, { what: 'tables released after the restart', timeoutMs: 60_000 });
    const st = await c.json<StatusInfo>(['status']);
    t.equal(st.tablesReleaseReason, 'End-of-RIB received from every configured peer', 'released on End-of-RIB from every node, not on the timer');
    await waitFor(async () => (await c.json<PeerRow[]>(['peers'])).every((p) => p.state === 'Established' && p.advertised === 2), { what: 'every session back with the full table' });
    for (const i of [2, 3, 4]) t.same([...(await c.birdRoutes(`n${i}`)).keys()].sort(), others(i), `n${i} holds every other block`);
  });

  t.test('bgp-rr drain: Cease 6/2 with a shutdown message; clients withdraw our routes', async (t) => {
    const r = await c.cli(['drain', '--message', 'rr decommissioned', '--json']);
    t.equal(r.code, 0, r.stderr);
    t.same(JSON.parse(r.stdout), { peers: 3, message: 'rr decommissioned' });
    for (const i of [2, 3, 4]) await c.waitRoutes(`n${i}`, []);
    const proto = await c.nodes.get('n2')!.birdc(['show', 'protocols', 'all']);
    t.match(proto.stdout, /Administrative shutdown/i, 'BIRD saw the Cease 6/2');
    t.match(proto.stdout, /Message:\s+rr decommissioned/, 'and the shutdown communication (RFC 9003)');
    const st = await c.json<StatusInfo>(['status']);
    t.equal(st.draining, true);
    t.equal(st.counts.peersEstablished, 0, 'sessions stay down');
  });
});
