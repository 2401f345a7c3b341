/**
 * etcd quorum lost under a running replica: the member it watches stays up but alone,
 * the watch stream stays open and silent. `bgp-rr status` must say health degraded
 * (the watcher's leader probe) while sessions stay up, and ok again with a leader.
 */
import t from 'tap';
import { waitFor } from '../../../../test/harness/index.js';
import type { PeerRow, StatusInfo } from '../../src/control/protocol.js';
import { startReflectorCluster } from '../../../../test/harness/reflector-cluster.js';

t.test('quorum lost: health degraded, etcd "no leader", sessions untouched; ok again once a leader is back', async (t) => {
  const c = await startReflectorCluster(t, { nodes: [2], etcdMembers: 3 });
  const etcd = c.etcd;
  c.startReflector();
  await c.reflectorReady();
  await c.startNode(2);
  await waitFor(async () => (await c.json<PeerRow[]>(['peers'])).find((p) => p.state === 'Established'), { what: 'n2 Established', timeoutMs: 60_000 });
  const ok = await waitFor(async () => {
    const s = await c.json<StatusInfo>(['status']);
    return s.health === 'ok' && s.etcd.state === 'watching' ? s : undefined;
  }, { what: 'health ok, watching' });
  const watched = etcd.members.find((m) => m.clientUrl === ok.etcd.endpoint)!;
  t.ok(watched, `watching ${ok.etcd.endpoint}`);
  const transitions = (await c.json<PeerRow[]>(['peers']))[0]!.establishedTransitions;

  await Promise.all(etcd.members.filter((m) => m !== watched).map((m) => m.kill('SIGKILL')));
  const lost = await waitFor(async () => {
    const s = await c.json<StatusInfo>(['status']);
    return s.health === 'degraded' ? s : undefined;
  }, { what: 'health degraded without quorum', timeoutMs: 30_000, intervalMs: 500 });
  t.equal(lost.etcd.endpoint, watched.clientUrl, 'still on the same member');
  t.match(lost.etcd.lastError, /no leader \(quorum lost\)/, 'etcd last error says why');
  const text = await c.cli(['status']);
  t.match(text.stdout, /^Health:\s+degraded$/m, 'bgp-rr status: degraded');
  const peers = await c.json<PeerRow[]>(['peers']);
  t.same(peers.map((p) => [p.state, p.establishedTransitions]), [['Established', transitions]], 'the session is untouched');

  await etcd.members.find((m) => m !== watched)!.start();
  await waitFor(async () => (await c.json<StatusInfo>(['status'])).health === 'ok', { what: 'health ok once a leader is back', timeoutMs: 60_000, intervalMs: 500 });
  const back = await c.json<StatusInfo>(['status']);
  t.equal(back.etcd.lastError, null, 'no etcd error any more');
  t.same((await c.json<PeerRow[]>(['peers'])).map((p) => [p.state, p.establishedTransitions]), [['Established', transitions]], 'still the same session');
});
