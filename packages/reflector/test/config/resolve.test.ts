/** Option precedence: flag > environment > config file > default (config/options.ts). */
import t from 'tap';
import { checkConfigFile, ConfigError, resolveOptions } from '../../src/config/resolve.js';
import { OPTIONS } from '../../src/config/options.js';

t.test('precedence, one row per step', async (t) => {
  const cases: [string, Record<string, unknown>, Record<string, string>, Record<string, unknown>, unknown, string][] = [
    ['default when nothing is given', {}, {}, {}, ['http://127.0.0.1:2379'], 'default'],
    ['file beats default', {}, {}, { etcdEndpoints: 'http://f:2379' }, ['http://f:2379'], 'file'],
    ["env (calicoctl's ETCD_ENDPOINTS) beats file", {}, { ETCD_ENDPOINTS: 'http://e1:2379,http://e2:2379' }, { etcdEndpoints: 'http://f:2379' }, ['http://e1:2379', 'http://e2:2379'], 'env'],
    ['flag beats env', { etcdEndpoints: ['http://c:2379'] }, { ETCD_ENDPOINTS: 'http://e:2379' }, {}, ['http://c:2379'], 'flag'],
    ['an empty env variable is unset', {}, { ETCD_ENDPOINTS: '' }, {}, ['http://127.0.0.1:2379'], 'default'],
    ['repeated flags and commas both make lists', { etcdEndpoints: ['http://a:2379,http://b:2379', 'http://c:2379'] }, {}, {}, ['http://a:2379', 'http://b:2379', 'http://c:2379'], 'flag'],
    ['a file list may be a JSON array', {}, {}, { etcdEndpoints: ['http://x:2379', 'http://y:2379'] }, ['http://x:2379', 'http://y:2379'], 'file'],
  ];
  for (const [name, flags, env, file, want, source] of cases) {
    const r = resolveOptions(['etcdEndpoints'], flags, env, file);
    t.same([r.values.etcdEndpoints, r.sources.etcdEndpoints], [want, source], name);
  }
});

t.test('BGP_RR_<OPTION> for the rest; options without a default stay unset', async (t) => {
  const r = resolveOptions(['routerId', 'clusterId', 'name', 'etcdCaCertFile'], {}, { BGP_RR_ROUTER_ID: '10.0.0.250', ETCD_CA_CERT_FILE: '/ca.crt' }, { name: 'rr-1' });
  t.same(r.values, { routerId: '10.0.0.250', etcdCaCertFile: '/ca.crt', name: 'rr-1' });
  t.same(r.sources, { routerId: 'env', etcdCaCertFile: 'env', name: 'file' });
});

t.test('the table: every option has a unique flag, env and key; env names follow the rule', async (t) => {
  for (const field of ['key', 'flag', 'env'] as const) t.equal(new Set(OPTIONS.map((o) => o[field])).size, OPTIONS.length, `${field} unique`);
  for (const o of OPTIONS) {
    t.equal(o.flag, `--${o.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, `${o.key}: flag is the kebab-case key`);
    if (!o.key.startsWith('etcd')) t.equal(o.env, `BGP_RR_${o.key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, `${o.key}: BGP_RR_<OPTION>`);
  }
  t.same(OPTIONS.filter((o) => o.key.startsWith('etcd')).map((o) => o.env), ['ETCD_ENDPOINTS', 'ETCD_CA_CERT_FILE', 'ETCD_CERT_FILE', 'ETCD_KEY_FILE'], "calicoctl's names for etcd");
});

t.test('config file checks', async (t) => {
  t.same(checkConfigFile({ routerId: '10.0.0.1' }, 'f.json'), { routerId: '10.0.0.1' });
  t.throws(() => checkConfigFile([], 'f.json'), ConfigError);
  t.throws(() => checkConfigFile({ routerID: 'x' }, 'f.json'), /unknown option\(s\) routerID/);
  t.throws(() => checkConfigFile({ config: 'other.json' }, 'f.json'), /unknown option/, 'no nested config files');
  t.throws(() => resolveOptions(['name'], {}, {}, { name: ['a'] }), /name must be a string/);
});
