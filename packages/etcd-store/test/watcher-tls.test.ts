/** etcd with TLS (openssl-made CA, server and client certificates). */
import t from 'tap';
import { startEtcd } from '../../../test/harness/etcd.js';
import { waitFor } from '../../../test/harness/proc.js';
import { nodeKey, nodeValue } from './fixtures.js';
import { record } from './recorder.js';

t.test('TLS: CA, client certificate and key', async (t) => {
  const etcd = await startEtcd(t, { tls: true });
  t.match(etcd.endpoints[0], /^https:/);
  await etcd.put(nodeKey('n1'), nodeValue('n1', { ipv4Address: '10.0.0.1/24' }));
  const r = record(t, { endpoints: etcd.endpoints, ...etcd.tls });
  const s = await r.watcher.ready();
  t.ok(s.nodes.has('n1'), 'listed over TLS');
  await etcd.put(nodeKey('n2'), nodeValue('n2', { ipv4Address: '10.0.0.2/24' }));
  await r.until('watched over TLS', (s) => s.nodes.has('n2'));

  const noCert = record(t, { endpoints: etcd.endpoints, caFile: etcd.tls!.caFile });
  await waitFor(() => noCert.watcher.status().lastError, { what: 'an error without a client certificate' });
  t.equal(noCert.watcher.current(), undefined, 'without a client certificate etcd refuses us');
  t.equal(noCert.watcher.status().state, 'disconnected');
});

t.test('TLS options are checked at start', async (t) => {
  const { CalicoWatcher } = await import('../src/index.js');
  t.throws(() => new CalicoWatcher({ endpoints: ['https://127.0.0.1:2379'], certFile: '/x' }), /go together/);
  t.throws(() => new CalicoWatcher({ endpoints: ['https://127.0.0.1:2379'], caFile: '/nonexistent/ca.crt' }), /ENOENT/);
});
