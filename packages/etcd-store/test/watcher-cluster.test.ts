/** CalicoWatcher against a real three-member etcd cluster. */
import t from 'tap';
import { startEtcd } from '../../../test/harness/etcd.js';
import { waitFor } from '../../../test/harness/proc.js';
import { nodeKey, nodeValue } from './fixtures.js';
import { record } from './recorder.js';

/** How long every member stays down (30 s by default); BGP_RR_ETCD_OUTAGE_S=5 for a quick run. */
const OUTAGE_S = Number(process.env.BGP_RR_ETCD_OUTAGE_S ?? 30);

t.test('three members: the member we watch is killed mid-stream, the watcher moves on and no change is lost', async (t) => {
  const etcd = await startEtcd(t, { members: 3 });
  const r = record(t, { endpoints: etcd.endpoints });
  await r.watcher.ready();
  await waitFor(() => r.watcher.status().state === 'watching', { what: 'watching' });
  const watched = etcd.members.find((m) => m.clientUrl === r.watcher.status().endpoint);
  t.ok(watched, 'status names the endpoint in use');

  let last = 0;
  for (let i = 0; i < 30; i++) {
    if (i === 10) await watched!.kill('SIGKILL');
    last = await etcd.put(nodeKey(`n${i}`), nodeValue(`n${i}`, { ipv4Address: `10.0.1.${i + 1}/24` }));
  }
  const s = await r.until('all 30 nodes', (s) => s.revision >= last);
  t.equal(s.nodes.size, 30, 'every change delivered');
  t.not(r.watcher.status().endpoint, watched!.clientUrl, 'now on another member');
  t.notOk(r.diffs.some((d) => d.relisted), 'resumed from the last revision, no re-list needed');

  await watched!.start();
  const back = await etcd.put(nodeKey('after-restart'), nodeValue('after-restart', {}));
  await r.until('change after the member came back', (s) => s.revision >= back && s.nodes.has('after-restart'));
});

t.test(`three members all down for ${OUTAGE_S} s: last good state kept, then every change delivered`, async (t) => {
  const etcd = await startEtcd(t, { members: 3 });
  for (let i = 0; i < 5; i++) await etcd.put(nodeKey(`n${i}`), nodeValue(`n${i}`, { ipv4Address: `10.0.1.${i + 1}/24` }));
  const r = record(t, { endpoints: etcd.endpoints });
  await r.watcher.ready();
  await waitFor(() => r.watcher.status().state === 'watching', { what: 'watching' });
  await etcd.stopAll();
  await waitFor(() => r.watcher.status().state === 'disconnected', { what: 'disconnected' });
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_S * 1000));
  t.equal(r.watcher.status().state, 'disconnected', 'no endpoint answers');
  t.equal(r.watcher.current()?.nodes.size, 5, 'the last good snapshot is kept');
  await etcd.startAll();
  await etcd.del(nodeKey('n0'));
  let last = 0;
  for (let i = 5; i < 10; i++) last = await etcd.put(nodeKey(`n${i}`), nodeValue(`n${i}`, { ipv4Address: `10.0.1.${i + 1}/24` }));
  const s = await r.until('every change after the outage', (s) => s.revision >= last);
  t.same([...s.nodes.keys()].sort(), ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9']);
});

t.test('three members: the member we watch hangs (SIGSTOP); gRPC keepalive notices, the watcher moves on, no change lost', async (t) => {
  const etcd = await startEtcd(t, { members: 3 });
  const r = record(t, { endpoints: etcd.endpoints });
  await r.watcher.ready();
  await waitFor(() => r.watcher.status().state === 'watching', { what: 'watching' });
  const watched = etcd.members.find((m) => m.clientUrl === r.watcher.status().endpoint);
  watched!.proc!.signal('SIGSTOP');
  t.teardown(() => watched!.proc?.signal('SIGCONT'));
  let last = 0;
  for (let i = 0; i < 5; i++) last = await etcd.put(nodeKey(`h${i}`), nodeValue(`h${i}`, {}));
  const s = await r.until('changes made while the member hangs', (s) => s.revision >= last, 60_000);
  t.equal(s.nodes.size, 5);
  t.not(r.watcher.status().endpoint, watched!.clientUrl, 'moved to a live member');
});
