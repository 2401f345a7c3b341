/** How we reach etcd: calicoctl's ETCD_ENDPOINTS form, TLS files, several endpoints. */
import t from 'tap';
import { startEtcd } from '../../../test/harness/etcd.js';
import { waitFor } from '../../../test/harness/proc.js';
import { loadTls, parseEndpoints, withAnyEndpoint } from '../src/client.js';
import { listReplicas } from '../src/index.js';
import { nodeKey, nodeValue } from './fixtures.js';
import { record } from './recorder.js';

t.test('ETCD_ENDPOINTS as calicoctl reads it', async (t) => {
  const cases: [rule: string, text: string, want: string[]][] = [
    ['one URL', 'http://127.0.0.1:2379', ['http://127.0.0.1:2379']],
    ['comma-separated, several members', 'https://10.0.0.1:2379,https://10.0.0.2:2379', ['https://10.0.0.1:2379', 'https://10.0.0.2:2379']],
    ['spaces around commas are ignored', ' http://a:2379 , http://b:2379 ', ['http://a:2379', 'http://b:2379']],
    ['host:port without a scheme means http', '127.0.0.1:2379', ['http://127.0.0.1:2379']],
    ['empty items are dropped', 'http://a:2379,,', ['http://a:2379']],
    ['nothing', '', []],
  ];
  for (const [rule, text, want] of cases) t.same(parseEndpoints(text), want, rule);
});

t.test('TLS files: ETCD_CA_CERT_FILE, ETCD_CERT_FILE and ETCD_KEY_FILE', async (t) => {
  t.equal(loadTls({ endpoints: ['http://a:2379'] }), undefined, 'none given: plain HTTP');
  t.throws(() => loadTls({ endpoints: ['https://a:2379'], caFile: '/ca', certFile: '/c' }), /go together/, 'a certificate without its key');
  t.throws(() => loadTls({ endpoints: ['https://a:2379'], certFile: '/c', keyFile: '/k' }), /ETCD_CA_CERT_FILE/, 'a client certificate needs the CA');
  t.throws(() => loadTls({ endpoints: ['https://a:2379'], caFile: '/nonexistent/ca.crt' }), /ENOENT/, 'a missing file is an error at start');
  const etcd = await startEtcd(t, { tls: true });
  const tls = loadTls({ endpoints: etcd.endpoints, ...etcd.tls });
  t.match(tls?.rootCertificate.toString(), /BEGIN CERTIFICATE/);
  t.match(tls?.certChain?.toString(), /BEGIN CERTIFICATE/);
  t.match(tls?.privateKey?.toString(), /PRIVATE KEY/);
  t.match(loadTls({ endpoints: etcd.endpoints, caFile: etcd.tls!.caFile }), { rootCertificate: Buffer }, 'CA only: server verified, no client certificate');
});

t.test('several endpoints: a dead one is skipped', async (t) => {
  const etcd = await startEtcd(t);
  await etcd.put(nodeKey('n1'), nodeValue('n1', { ipv4Address: '10.0.0.1/24' }));
  const dead = `http://${etcd.block.addr(200)}:2379`; // nothing listens there
  const endpoints = [dead, ...etcd.endpoints];

  const used = await withAnyEndpoint({ endpoints, callTimeoutMs: 2000 }, async (client, endpoint) => {
    await client.get('x').exec();
    return endpoint;
  });
  t.equal(used, etcd.endpoints[0], 'withAnyEndpoint moves on to the next endpoint');
  t.same((await listReplicas({ endpoints, callTimeoutMs: 2000 })).replicas, [], 'listReplicas works with a dead first endpoint');
  await t.rejects(withAnyEndpoint({ endpoints: [dead], callTimeoutMs: 1000 }, (c) => c.get('x').exec()), 'every endpoint dead: the last error');

  const r = record(t, { endpoints });
  const s = await r.watcher.ready();
  t.ok(s.nodes.has('n1'), 'the watcher lists from the live endpoint');
  await waitFor(() => r.watcher.status().state === 'watching', { what: 'watching' });
  t.equal(r.watcher.status().endpoint, etcd.endpoints[0], 'status names the endpoint in use');
});
