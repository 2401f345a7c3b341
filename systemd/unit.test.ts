// The systemd unit and its environment file: the hardening the README promises,
// checked by systemd-analyze where the unit is verified as systemd would load it.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const unitPath = fileURLToPath(new URL('./bgp-rr.service', import.meta.url));
const envPath = fileURLToPath(new URL('./bgp-rr.env', import.meta.url));
const unit = readFileSync(unitPath, 'utf8');
const env = readFileSync(envPath, 'utf8');

/** Directive values of the unit, by name (last wins, as for systemd). */
function directives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m && m[1] !== undefined && m[2] !== undefined) out.set(m[1], m[2]);
  }
  return out;
}

t.test('the service is sandboxed as documented', async (t) => {
  const d = directives(unit);
  const want: Record<string, string> = {
    Type: 'notify',
    NotifyAccess: 'all',
    ExecStart: '/usr/bin/bgp-rr run',
    EnvironmentFile: '/etc/bgp-rr/bgp-rr.env',
    User: 'bgp-rr',
    Group: 'bgp-rr',
    AmbientCapabilities: 'CAP_NET_BIND_SERVICE',
    CapabilityBoundingSet: 'CAP_NET_BIND_SERVICE',
    NoNewPrivileges: 'yes',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    PrivateDevices: 'yes',
    ProtectKernelTunables: 'yes',
    ProtectKernelModules: 'yes',
    ProtectKernelLogs: 'yes',
    ProtectControlGroups: 'yes',
    RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX AF_NETLINK',
    SystemCallFilter: '@system-service',
    RuntimeDirectory: 'bgp-rr',
    Restart: 'on-failure',
    KillSignal: 'SIGTERM',
  };
  for (const [key, value] of Object.entries(want)) t.equal(d.get(key), value, key);
  // V8's JIT needs writable+executable memory: this must never be switched on.
  t.notOk(d.has('MemoryDenyWriteExecute'), 'MemoryDenyWriteExecute not set');
  t.notOk(d.has('DynamicUser'), 'a dedicated, stable user (it owns TLS key permissions)');
});

t.test('systemd-analyze verify accepts the unit', async (t) => {
  // /usr/bin/bgp-rr is not installed on a development machine: verify a copy whose
  // ExecStart is an existing binary; everything else is verified as written.
  const dir = mkdtempSync(join(tmpdir(), 'bgp-rr-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const copy = join(dir, 'bgp-rr.service');
  writeFileSync(copy, unit.replace('ExecStart=/usr/bin/bgp-rr run', 'ExecStart=/bin/true run'));
  const res = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
  t.equal(res.error, undefined, 'systemd-analyze runs (Debian package systemd; npm run setup installs it)');
  t.equal(res.status, 0, res.stderr);
  t.equal(res.stderr.trim(), '', 'no warnings');
});

t.test('the environment file documents every option, all commented out', async (t) => {
  const vars = [
    'ETCD_ENDPOINTS',
    'ETCD_CA_CERT_FILE',
    'ETCD_CERT_FILE',
    'ETCD_KEY_FILE',
    'BGP_RR_ROUTER_ID',
    'BGP_RR_CLUSTER_ID',
    'BGP_RR_LISTEN',
    'BGP_RR_HOLD_TIME',
    'BGP_RR_NAME',
    'BGP_RR_CONTROL_SOCKET',
    'BGP_RR_METRICS_ADDRESS',
    'BGP_RR_LOG_LEVEL',
  ];
  for (const v of vars) t.match(env, new RegExp(`^#${v}=\\S+$`, 'm'), `${v} documented with an example`);
  const active = env.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  t.same(active, [], 'nothing set by default: the operator chooses');
  const documented = [...env.matchAll(/^#([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
  t.same(documented.filter((v) => !vars.includes(v ?? '')), [], 'no undocumented variable');
});
