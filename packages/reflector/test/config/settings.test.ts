/** Settings that take several options: etcd connection, replica identity. */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, resolveOptions } from '../../src/config/resolve.js';
import { ETCD_OPTIONS, REPLICA_OPTIONS } from '../../src/config/options.js';
import { etcdSettings, replicaSettings } from '../../src/config/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'bgp-rr-settings-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, mode: number): string => {
  const p = join(dir, name);
  writeFileSync(p, name, { mode });
  return p;
};
const [ca, cert, key] = [file('ca.pem', 0o644), file('cert.pem', 0o644), file('key.pem', 0o600)];

t.test('replica settings', async (t) => {
  const r = resolveOptions(REPLICA_OPTIONS, { listen: ['10.0.0.250', '[fd00::250]:179'], routerId: '10.0.0.250', name: 'rr-1' }, { ETCD_ENDPOINTS: '127.0.0.1:2379,https://e2:2379', ETCD_CA_CERT_FILE: ca, ETCD_CERT_FILE: cert, ETCD_KEY_FILE: key });
  const s = replicaSettings(r.values);
  t.same(s.etcd, { endpoints: ['http://127.0.0.1:2379', 'https://e2:2379'], caFile: ca, certFile: cert, keyFile: key }, 'an endpoint without a scheme is http://');
  t.same(s.listen, [{ address: '10.0.0.250', port: 179 }, { address: 'fd00::250', port: 179 }]);
  t.same([s.routerId, s.clusterId, s.name], ['10.0.0.250', undefined, 'rr-1']);
  t.throws(() => etcdSettings(resolveOptions(ETCD_OPTIONS, {}, { ETCD_CERT_FILE: cert }).values), /go together/, 'cert without key');
  t.throws(() => etcdSettings(resolveOptions(ETCD_OPTIONS, {}, { ETCD_KEY_FILE: key }).values), /go together/, 'key without cert');
  t.throws(() => etcdSettings(resolveOptions(ETCD_OPTIONS, {}, { ETCD_CERT_FILE: cert, ETCD_KEY_FILE: key }).values), { constructor: ConfigError, message: /--etcd-cert-file needs --etcd-ca-cert-file/ }, 'a client certificate without the CA: a setting error (exit 2), not a failure at connect');
  t.throws(() => etcdSettings(resolveOptions(ETCD_OPTIONS, {}, { ETCD_CA_CERT_FILE: join(dir, 'missing.pem') }).values), { constructor: ConfigError, message: /etcd CA file .*missing.pem does not exist/ }, 'a missing file: a setting error too');
  t.throws(() => resolveOptions(ETCD_OPTIONS, { etcdEndpoints: [','] }, {}), /--etcd-endpoints: at least one value is needed/);
  const d = replicaSettings(resolveOptions(REPLICA_OPTIONS, {}, {}).values);
  t.same(d.listen, [{ address: '::', port: 179 }], 'default: every address, port 179');
  t.ok(d.name !== '' && !d.name.includes('.'), `default name: the host name up to its first dot (${d.name})`);
});
