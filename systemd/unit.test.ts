// The systemd unit and its environment file: the hardening the README promises,
// verified by systemd-analyze as systemd would load the unit, and an environment
// file whose every example is a setting `bgp-rr run` reads and accepts.
import t, { type Test } from 'tap';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { EXIT, OPTIONS, resolveOptions } from '@bgp-rr/reflector';
import { daemonOptions, runCommand } from '../packages/reflector/src/cli/commands/run.js';

const unitPath = fileURLToPath(new URL('./bgp-rr.service', import.meta.url));
const envPath = fileURLToPath(new URL('./bgp-rr.env', import.meta.url));
const unit = readFileSync(unitPath, 'utf8');
const env = readFileSync(envPath, 'utf8');

/** Directive values of the unit, by name, in order (a directive may be repeated). */
function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[1], [...(out.get(m[1]) ?? []), m[2]]);
  }
  return out;
}

/** The commented examples of the environment file: `#KEY=value` lines. */
function examples(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^#([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

function tmp(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'bgp-rr-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('the service is sandboxed as documented', async (t) => {
  const d = directives(unit);
  const want: Record<string, string[]> = {
    Type: ['notify'],
    NotifyAccess: ['all'],
    ExecStart: ['/usr/local/bin/bgp-rr run'],
    EnvironmentFile: ['/etc/bgp-rr/bgp-rr.env'],
    User: ['bgp-rr'],
    Group: ['bgp-rr'],
    AmbientCapabilities: ['CAP_NET_BIND_SERVICE'],
    CapabilityBoundingSet: ['CAP_NET_BIND_SERVICE'],
    NoNewPrivileges: ['yes'],
    ProtectSystem: ['strict'],
    ProtectHome: ['yes'],
    PrivateTmp: ['yes'],
    PrivateDevices: ['yes'],
    ProtectKernelTunables: ['yes'],
    ProtectKernelModules: ['yes'],
    ProtectKernelLogs: ['yes'],
    ProtectControlGroups: ['yes'],
    RestrictAddressFamilies: ['AF_INET AF_INET6 AF_UNIX AF_NETLINK'],
    SystemCallFilter: ['@system-service @pkey', '~@privileged @resources'],
    SystemCallArchitectures: ['native'],
    RuntimeDirectory: ['bgp-rr'],
    Restart: ['on-failure'],
    // `bgp-rr run` exits NOT_DONE (2) on a bad setting: no restart loop on a typo.
    RestartPreventExitStatus: [String(EXIT.NOT_DONE)],
    KillSignal: ['SIGTERM'],
  };
  for (const [key, value] of Object.entries(want)) t.same(d.get(key), value, key);
  // V8's JIT needs writable+executable memory: this must never be switched on.
  t.notOk(d.has('MemoryDenyWriteExecute'), 'MemoryDenyWriteExecute not set');
  t.notOk(d.has('PrivateUsers'), 'no user namespace: CAP_NET_BIND_SERVICE must hold on the host');
  t.notOk(d.has('DynamicUser'), 'a dedicated, stable user (it owns TLS key permissions)');
});

t.test('systemd-analyze verify accepts the unit', async (t) => {
  // /usr/local/bin/bgp-rr is not installed on a development machine: verify a copy
  // whose ExecStart is an existing binary; everything else is verified as written.
  const copy = join(tmp(t), 'bgp-rr.service');
  writeFileSync(copy, unit.replace('ExecStart=/usr/local/bin/bgp-rr run', 'ExecStart=/bin/true run'));
  const res = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
  t.equal(res.error, undefined, 'systemd-analyze runs (Debian package systemd; npm run setup installs it)');
  t.equal(res.status, 0, res.stderr);
  t.equal(res.stderr.trim(), '', 'no warnings');
});

t.test('the environment file documents every option of bgp-rr run, all commented out', async (t) => {
  const ex = examples(env);
  const runEnv = OPTIONS.filter((o) => (runCommand.options as readonly string[]).includes(o.key)).map((o) => o.env);
  t.same([...ex.keys()].sort(), [...runEnv].sort(), 'one example per option, nothing else');
  const active = env.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  t.same(active, [], 'nothing set by default: the operator chooses');
});

t.test('every example in the environment file is accepted by bgp-rr run', async (t) => {
  // The examples name files under /etc/bgp-rr: put real ones with the modes the file
  // asks for in their place (the daemon checks TLS and password files at start).
  const dir = tmp(t);
  const files = new Map<string, string>();
  const file = (example: string, content: string, mode: number): string => {
    const path = join(dir, example.split('/').pop() ?? 'f');
    writeFileSync(path, content);
    chmodSync(path, mode);
    files.set(example, path);
    return path;
  };
  const ex = examples(env);
  const environment: Record<string, string> = {};
  for (const [key, value] of ex) {
    if (key === 'BGP_RR_PASSWORD_FILE') environment[key] = file(value, '10.0.0.11 s3cret\n', 0o600);
    else if (key === 'ETCD_KEY_FILE') environment[key] = file(value, 'key\n', 0o600);
    else if (key === 'ETCD_CA_CERT_FILE' || key === 'ETCD_CERT_FILE') environment[key] = file(value, 'cert\n', 0o644);
    else environment[key] = value;
  }
  const options = resolveOptions(runCommand.options, {}, environment);
  for (const key of runCommand.options) t.equal(options.sources[key], 'env', `${key} read from the environment`);
  const o = daemonOptions({ options, flags: {}, args: [], env: environment, io: { stdout: process.stdout, stderr: process.stderr }, signal: new AbortController().signal });
  t.same(o.etcd.endpoints.map(String), ['https://10.0.0.1:2379', 'https://10.0.0.2:2379', 'https://10.0.0.3:2379'].map(String), 'ETCD_ENDPOINTS');
  t.equal(o.routerId, '10.0.0.1');
  t.equal(o.clusterId, '244.0.0.1', 'the cluster id the replicas share');
  t.same(o.listen, [{ address: '10.0.0.1', port: 179 }, { address: 'fd00::1', port: 179 }]);
  t.equal(o.holdTime, 30);
  t.equal(o.routePolicy, 'enforce');
  t.equal(o.maxPrefixes, 1000);
  t.equal(o.maxPrefixesAction, 'cease');
  t.equal(o.selectionDeferral, 15);
  t.equal(o.name, 'rr-1');
  t.equal(o.controlSocket, '/run/bgp-rr/control.sock', 'in RuntimeDirectory=bgp-rr');
  t.equal(o.metricsAddress, '127.0.0.1:9179');
  t.ok(o.passwords, 'the password file is loaded');
});
