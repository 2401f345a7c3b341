/**
 * CalicoWatcher when etcd loses its quorum: the member we watch keeps the watch stream
 * open but silent. The watcher must say so (state 'disconnected', "no leader") from the
 * member's own status, keep the stream, and be 'watching' again once a leader is back.
 */
import t from 'tap';
import { startEtcd } from '../../../test/harness/etcd.js';
import { waitFor } from '../../../test/harness/proc.js';
import { NO_LEADER } from '../src/watcher.js';
import { nodeKey, nodeValue } from './fixtures.js';
import { record } from './recorder.js';

t.test('three members, two killed: quorum lost is reported as disconnected (no leader); the same watch resumes when a leader is back', async (t) => {
  const etcd = await startEtcd(t, { members: 3 });
  for (let i = 0; i < 3; i++) await etcd.put(nodeKey(`n${i}`), nodeValue(`n${i}`, { ipv4Address: `10.0.1.${i + 1}/24` }));
  const r = record(t, { endpoints: etcd.endpoints, leaderProbeMs: 300 });
  await r.watcher.ready();
  await waitFor(() => r.watcher.status().state === 'watching', { what: 'watching' });
  const watched = etcd.members.find((m) => m.clientUrl === r.watcher.status().endpoint)!;
  t.ok(watched, 'status names the endpoint in use');
  const others = etcd.members.filter((m) => m !== watched);

  // Quorum gone: the watched member stays up, alone.
  await Promise.all(others.map((m) => m.kill('SIGKILL')));
  const lost = await waitFor(() => {
    const s = r.watcher.status();
    return s.state === 'disconnected' ? s : undefined;
  }, { what: 'state disconnected while the member has no leader', timeoutMs: 30_000 });
  t.match(lost.lastError, new RegExp(`${watched.clientUrl}: ${NO_LEADER.replace(/[()]/g, '\\$&')}`), 'lastError names the member and the lost quorum');
  t.equal(r.watcher.current()?.nodes.size, 3, 'the last good snapshot is kept');

  // One member back: quorum (2 of 3) and a leader again.
  await others[0]!.start();
  await waitFor(() => r.watcher.status().state === 'watching', { what: 'watching again once a leader is elected', timeoutMs: 60_000 });
  t.equal(r.watcher.status().lastError, undefined, 'lastError cleared');
  t.equal(r.watcher.status().endpoint, watched.clientUrl, 'still the same member: the watch was not torn down');
  const rev = await etcd.put(nodeKey('after'), nodeValue('after', {}));
  const s = await r.until('a change made after quorum came back', (s) => s.revision >= rev && s.nodes.has('after'));
  t.equal(s.nodes.size, 4, 'delivered on the watch that stayed open');
  t.notOk(r.diffs.some((d) => d.relisted), 'no re-list was needed');
  t.equal(r.watcher.status().endpoint, watched.clientUrl, 'and still on that member');
});
