/** Settings that take several options: etcd connection, replica identity. */
import t from 'tap';
import { resolveOptions } from '../../src/config/resolve.js';
import { ETCD_OPTIONS, REPLICA_OPTIONS } from '../../src/config/options.js';
import { etcdSettings, replicaSettings } from '../../src/config/settings.js';

t.test('replica settings', async (t) => {
  const r = resolveOptions(REPLICA_OPTIONS, { listen: ['10.0.0.250', '[fd00::250]:179'], routerId: '10.0.0.250', name: 'rr-1' }, { ETCD_ENDPOINTS: '127.0.0.1:2379,https://e2:2379', ETCD_CA_CERT_FILE: '/ca', ETCD_CERT_FILE: '/c', ETCD_KEY_FILE: '/k' });
  const s = replicaSettings(r.values);
  t.same(s.etcd, { endpoints: ['http://127.0.0.1:2379', 'https://e2:2379'], caFile: '/ca', certFile: '/c', keyFile: '/k' }, 'an endpoint without a scheme is http://');
  t.same(s.listen, [{ address: '10.0.0.250', port: 179 }, { address: 'fd00::250', port: 179 }]);
  t.same([s.routerId, s.clusterId, s.name], ['10.0.0.250', undefined, 'rr-1']);
  t.throws(() => etcdSettings(resolveOptions(ETCD_OPTIONS, {}, { ETCD_CERT_FILE: '/c' }).values), /go together/, 'cert without key');
  t.throws(() => etcdSettings(resolveOptions(ETCD_OPTIONS, { etcdEndpoints: [','] }, {}).values), /at least one endpoint/);
  const d = replicaSettings(resolveOptions(REPLICA_OPTIONS, {}, {}).values);
  t.same(d.listen, [{ address: '::', port: 179 }], 'default: every address, port 179');
  t.ok(d.name !== '' && !d.name.includes('.'), `default name: the host name up to its first dot (${d.name})`);
});
