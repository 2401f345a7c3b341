import t from 'tap';
import { ConfigError, resolveOptions } from '../../src/config/resolve.js';
import { REPLICA_OPTIONS } from '../../src/config/options.js';
import { parseListen, replicaSettings } from '../../src/config/settings.js';

t.test('--listen ADDR[:PORT]', async (t) => {
  const ok: [string, { address: string; port: number }][] = [
    ['10.0.0.250', { address: '10.0.0.250', port: 179 }],
    ['10.0.0.250:1179', { address: '10.0.0.250', port: 1179 }],
    ['0.0.0.0', { address: '0.0.0.0', port: 179 }],
    ['::', { address: '::', port: 179 }],
    ['[::]:179', { address: '::', port: 179 }],
    ['fd00::250', { address: 'fd00::250', port: 179 }],
    ['[fd00:0::250]:1790', { address: 'fd00::250', port: 1790 }],
  ];
  for (const [text, want] of ok) t.same(parseListen(text), want, text);
  for (const bad of ['10.0.0.256', '[10.0.0.1]:179', '10.0.0.1:70000', 'host:179', '']) t.throws(() => parseListen(bad), ConfigError, bad);
});

t.test('replica settings', async (t) => {
  const r = resolveOptions(REPLICA_OPTIONS, { listen: ['10.0.0.250', '[fd00::250]:179'], routerId: '10.0.0.250' }, { ETCD_ENDPOINTS: '127.0.0.1:2379,https://e2:2379', ETCD_CA_CERT_FILE: '/ca', ETCD_CERT_FILE: '/c', ETCD_KEY_FILE: '/k' });
  const s = replicaSettings(r);
  t.same(s.etcd, { endpoints: ['http://127.0.0.1:2379', 'https://e2:2379'], caFile: '/ca', certFile: '/c', keyFile: '/k' }, 'an endpoint without a scheme is http://');
  t.same(s.listen, [{ address: '10.0.0.250', port: 179 }, { address: 'fd00::250', port: 179 }]);
  t.equal(s.routerId, '10.0.0.250');
  t.throws(() => replicaSettings(resolveOptions(REPLICA_OPTIONS, { routerId: 'fd00::1' }, {})), /router-id/, 'router id is IPv4');
  t.throws(() => replicaSettings(resolveOptions(REPLICA_OPTIONS, {}, { ETCD_CERT_FILE: '/c' })), /go together/, 'cert without key');
  t.same(replicaSettings(resolveOptions(REPLICA_OPTIONS, {}, {})).listen, [{ address: '::', port: 179 }], 'default: every address, port 179');
});
