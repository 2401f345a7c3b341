/** Option precedence: flag > environment > config file > default (config/options.ts). */
import t from 'tap';
import { checkConfigFile, ConfigError, resolveOptions } from '../../src/config/resolve.js';

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

t.test('config file checks', async (t) => {
  t.same(checkConfigFile({ routerId: '10.0.0.1' }, 'f.json'), { routerId: '10.0.0.1' });
  t.throws(() => checkConfigFile([], 'f.json'), ConfigError);
  t.throws(() => checkConfigFile({ routerID: 'x' }, 'f.json'), /unknown option\(s\) routerID/);
  t.throws(() => checkConfigFile({ config: 'other.json' }, 'f.json'), /unknown option/, 'no nested config files');
  t.throws(() => resolveOptions(['name'], {}, {}, { name: ['a'] }), new ConfigError('--name ["a"] (from the config file, key name): expected a string or a number'));
  t.throws(() => resolveOptions(['listen'], {}, {}, { listen: [1] }), new ConfigError('--listen [1] (from the config file, key listen): expected a string or a list of strings'));
});

t.test('values come back typed, whatever their source', async (t) => {
  const keys = ['holdTime', 'maxPrefixes', 'maxPrefixesAction', 'listen', 'metricsAddress', 'routerId'] as const;
  const r = resolveOptions(keys, { holdTime: '90', listen: ['10.0.0.1,[fd00::1]:1179'] }, { BGP_RR_MAX_PREFIXES: '0', BGP_RR_METRICS_ADDRESS: 'none' }, { maxPrefixesAction: 'warn', routerId: '10.0.0.1' });
  t.same(r.values, {
    holdTime: 90,
    maxPrefixes: 0,
    maxPrefixesAction: 'warn',
    listen: [{ address: '10.0.0.1', port: 179 }, { address: 'fd00::1', port: 1179 }],
    metricsAddress: null,
    routerId: '10.0.0.1',
  });
  t.same(r.sources, { holdTime: 'flag', maxPrefixes: 'env', maxPrefixesAction: 'file', listen: 'flag', metricsAddress: 'env', routerId: 'file' });
  t.equal(resolveOptions(['holdTime'], {}, {}, { holdTime: 45 }).values.holdTime, 45, 'a JSON number in the file');
  const d = resolveOptions(keys, {}, {});
  t.same(d.values, { holdTime: 30, maxPrefixes: 1000, maxPrefixesAction: 'cease', listen: [{ address: '::', port: 179 }], metricsAddress: { address: '127.0.0.1', port: 9179 } }, 'defaults, converted like any value; no default: unset');
});

t.test('a value its type does not allow: ConfigError naming the flag, the value, the source and what is allowed', async (t) => {
  const cases: [string, () => unknown, string][] = [
    ['bad int from a flag', () => resolveOptions(['maxPrefixes'], { maxPrefixes: 'ten' }, {}), '--max-prefixes "ten": expected an integer, 0 or more'],
    ['int out of range from the environment', () => resolveOptions(['holdTime'], {}, { BGP_RR_HOLD_TIME: '2' }), '--hold-time "2" (from BGP_RR_HOLD_TIME): expected an integer, 0 or 3..65535'],
    ['int out of range from the file', () => resolveOptions(['selectionDeferral'], {}, {}, { selectionDeferral: 7200 }), '--selection-deferral "7200" (from the config file, key selectionDeferral): expected an integer, 0..3600'],
    ['bad enum', () => resolveOptions(['maxPrefixesAction'], { maxPrefixesAction: 'drop' }, {}), '--max-prefixes-action "drop": expected one of cease, block, warn'],
    ['bad enum from the environment', () => resolveOptions(['logLevel'], {}, { BGP_RR_LOG_LEVEL: 'verbose' }), '--log-level "verbose" (from BGP_RR_LOG_LEVEL): expected one of fatal, error, warn, info, debug, trace, silent'],
    ['bad item of a list', () => resolveOptions(['listen'], { listen: ['10.0.0.1', '10.0.0.256:179'] }, {}), '--listen "10.0.0.256:179": expected ADDR[:PORT], IPv6 as [ADDR]:PORT, port 0..65535'],
    ['not IPv4', () => resolveOptions(['clusterId'], {}, { BGP_RR_CLUSTER_ID: 'fd00::1' }), '--cluster-id "fd00::1" (from BGP_RR_CLUSTER_ID): expected an IPv4 address (dotted quad)'],
  ];
  for (const [name, f, message] of cases) t.throws(f, new ConfigError(message), name);
});

t.test('a list option with a default needs at least one value, whatever its source', async (t) => {
  t.throws(() => resolveOptions(['listen'], {}, { BGP_RR_LISTEN: ',' }), { message: '--listen (from BGP_RR_LISTEN): at least one value is needed' });
  t.throws(() => resolveOptions(['listen'], { listen: [''] }, {}), { message: '--listen: at least one value is needed' });
  t.throws(() => resolveOptions(['listen'], {}, {}, { listen: [] }), { message: '--listen (from the config file, key listen): at least one value is needed' });
  t.same(resolveOptions(['listen'], {}, {}).values.listen, [{ address: '::', port: 179 }], 'the default when nothing is given');
});
