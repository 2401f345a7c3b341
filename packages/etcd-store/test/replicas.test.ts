/** Replica registry under /bgp-rr/v1/replicas/<name>, with a lease, against real etcd. */
import t from 'tap';
import { startEtcd } from '../../../test/harness/etcd.js';
import { spawnProc, waitFor } from '../../../test/harness/proc.js';
import { listReplicas, REPLICAS_PREFIX, ReplicaRegistration } from '../src/index.js';

const info = (name: string) => ({ name, routerId: '10.0.0.250', addresses: ['10.0.0.250'], clusterId: '244.0.0.1', version: '0.1.0', startTime: '2026-01-01T00:00:00Z' });
const names = async (endpoints: readonly string[]) => (await listReplicas({ endpoints })).replicas.map((r) => r.name).sort();

t.test('register, list, close: the key comes and goes with the replica', async (t) => {
  const etcd = await startEtcd(t);
  const a = new ReplicaRegistration({ endpoints: etcd.endpoints }, info('rr-a'), { ttlSeconds: 3 });
  const b = new ReplicaRegistration({ endpoints: etcd.endpoints }, info('rr-b'), { ttlSeconds: 3 });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  a.start();
  b.start();
  await waitFor(async () => (await names(etcd.endpoints)).length === 2, { what: 'two replicas listed' });
  const listed = await listReplicas({ endpoints: etcd.endpoints });
  t.same(listed.replicas.find((r) => r.name === 'rr-a'), info('rr-a'), 'the stored record');
  t.ok(a.status().registered);
  const lease = (await etcd.client().get(`${REPLICAS_PREFIX}rr-a`).exec()).kvs[0]?.lease;
  t.not(lease, '0', 'the key is attached to a lease');
  await new Promise((r) => setTimeout(r, 4000));
  t.same(await names(etcd.endpoints), ['rr-a', 'rr-b'], 'kept alive past the TTL');
  await a.close();
  t.same(await names(etcd.endpoints), ['rr-b'], 'close() revokes the lease: the key goes at once');
});

t.test('peer counts: written with the registration, rewritten on its lease when they change, gone with it', async (t) => {
  const etcd = await startEtcd(t);
  const key = `${REPLICAS_PREFIX}rr-a`;
  const stored = async () => (await etcd.client().get(key).exec()).kvs[0];
  const listed = async () => (await listReplicas({ endpoints: etcd.endpoints })).replicas.find((r) => r.name === 'rr-a');
  const a = new ReplicaRegistration({ endpoints: etcd.endpoints }, info('rr-a'), { ttlSeconds: 3 });
  t.teardown(() => a.close());
  a.setPeers({ configured: 3, established: 0 }); // before start: in the first write
  a.start();
  await waitFor(() => a.status().registered, { what: 'registered' });
  t.same(await listed(), { ...info('rr-a'), peers: { configured: 3, established: 0 } }, 'counts set before registration are in the record');

  a.setPeers({ configured: 3, established: 1 });
  a.setPeers({ configured: 4, established: 2 });
  await waitFor(async () => (await listed())?.peers?.established === 2, { what: 'the change written' });
  t.same((await listed())?.peers, { configured: 4, established: 2 }, 'the latest counts');
  const kv = await stored();
  t.equal(kv?.lease, a.status().leaseId, 'on the registration lease');

  a.setPeers({ configured: 4, established: 2 });
  await new Promise((r) => setTimeout(r, 2500)); // two keepalive rounds (TTL/3 = 1 s)
  t.equal((await stored())?.mod_revision, kv?.mod_revision, 'unchanged counts are not written again');
  await a.close();
  t.equal(await stored(), undefined, 'close() revokes the lease: the key and its counts go');
});

t.test('peer counts that are not counts are dropped from the listing, the replica is kept', async (t) => {
  const etcd = await startEtcd(t);
  await etcd.put(`${REPLICAS_PREFIX}rr-odd`, JSON.stringify({ ...info('rr-odd'), peers: { configured: 'many', established: 1 } }));
  await etcd.put(`${REPLICAS_PREFIX}rr-junk`, 'not json');
  t.same((await listReplicas({ endpoints: etcd.endpoints })).replicas, [info('rr-odd')]);
});

t.test('a dead replica disappears when its lease expires', async (t) => {
  const etcd = await startEtcd(t);
  // A clean environment: tap's coverage hooks must not follow a process we SIGKILL.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !/TAP/i.test(k)));
  const script = new URL('./fixtures/register-replica.ts', import.meta.url).pathname;
  const child = spawnProc(t, process.execPath, ['--conditions=bgp-rr-source', '--import', 'tsx', script, etcd.endpoints[0] ?? '', 'rr-dead', '2'], { env });
  await child.waitForOutput(/replica registered/);
  t.same(await names(etcd.endpoints), ['rr-dead']);
  await child.kill('SIGKILL');
  await waitFor(async () => (await names(etcd.endpoints)).length === 0, { what: 'lease expiry removes the key', timeoutMs: 15_000 });
});

t.test('etcd restarted after the lease expired: the replica registers again', async (t) => {
  const etcd = await startEtcd(t);
  const a = new ReplicaRegistration({ endpoints: etcd.endpoints }, info('rr-a'), { ttlSeconds: 2 });
  t.teardown(() => a.close());
  a.start();
  await waitFor(() => a.status().registered, { what: 'registered' });
  await etcd.stopAll();
  await waitFor(() => !a.status().registered, { what: 'registration lost while etcd is down' });
  a.setPeers({ configured: 7, established: 5 }); // while etcd is down
  await new Promise((r) => setTimeout(r, 3000));
  await etcd.startAll();
  await waitFor(() => a.status().registered, { what: 'registered again' });
  t.match(a.status().leaseId, /^\d+$/);
  // etcd renews surviving leases on restart; the old one then lapses and the new one keeps the key.
  await new Promise((r) => setTimeout(r, 3000));
  t.same(await names(etcd.endpoints), ['rr-a'], 'listed on the new lease');
  t.same((await listReplicas({ endpoints: etcd.endpoints })).replicas[0]?.peers, { configured: 7, established: 5 }, 'counts set while etcd was down written by the new registration');
});

t.test('replica names are checked', async (t) => {
  t.throws(() => new ReplicaRegistration({ endpoints: ['http://127.0.0.1:1'] }, info('a/b')), /replica name/);
});
