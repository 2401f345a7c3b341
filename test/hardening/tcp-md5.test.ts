/**
 * TCP MD5 (RFC 2385) against real BIRD 1.6: `bgp-rr run --password-file F`
 * (mode 0600) maps node addresses to passwords; the replica sets each key on its
 * listening socket (koffi → setsockopt TCP_MD5SIG) and waits for those nodes to dial.
 *
 *   n2  BIRD with `password "<right>"`        → Established, routes flow
 *   n3  BIRD with `password "<wrong>"`        → never Established (the kernel drops its
 *                                              unsigned-for-us SYNs); once its password
 *                                              is corrected (birdc configure) it comes up
 *   n4  BIRD without password, not in the file → Established as before (unaffected)
 *
 * And the start-up checks: a password file readable by others, or missing, stops
 * `bgp-rr run` with exit 2 and a message saying what to fix.
 */
import t from 'tap';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir, type Teardown } from '../harness/index.js';
import { runBgpRr } from '../harness/bgp-rr.js';
import { CalicoNode } from '../harness/calico-node.js';
import { tcpMd5Available } from '../../packages/bgp-speaker/src/session/tcp-md5.js';
import { startReflectorCluster, type ReflectorCluster } from '../harness/reflector-cluster.js';

const RIGHT = 'calico md5 s3cret#1';
const WRONG = 'not the password';

/** Node i's BIRD 1.6 as calico/node configures it, with `password` when given. */
async function birdNode(t: Teardown, c: ReflectorCluster, i: number, password?: string): Promise<CalicoNode> {
  const n = new CalicoNode(t, { name: `n${i}`, flavor: 'bird1', ipv4: c.block.addr(i), blocks4: [`172.16.${i}.0/24`], reflectors4: [c.rrAddress], dir: c.dir, listenAddress: true });
  if (password !== undefined) setPassword(c, i, password);
  await n.start();
  c.nodes.set(`n${i}`, n);
  return n;
}

/** Writes (or replaces) `password "..."` in node i's BGP protocol (confd puts it there too). */
function setPassword(c: ReflectorCluster, i: number, password: string): void {
  const conf = join(c.dir, `n${i}.conf`);
  const text = readFileSync(conf, 'utf8').replace(/^ {2}password ".*";\n/m, '');
  writeFileSync(conf, text.replace(/^ {2}multihop;$/m, `  multihop;\n  password "${password}";`));
}

const ESTABLISHED = /Established/;

t.test('TCP MD5 with BIRD 1.6: the right password comes up, a wrong one does not', async (t) => {
  const avail = tcpMd5Available();
  t.ok(avail.ok, `TCP_MD5SIG usable here${avail.ok ? '' : `: ${avail.reason}`}`);
  if (!avail.ok) return;
  const c = await startReflectorCluster(t, { nodes: [2, 3, 4] });
  const file = join(c.dir, 'passwords');
  writeFileSync(file, `# node address  password\n${c.block.addr(2)}  ${RIGHT}\n${c.block.addr(3)}  ${RIGHT}\n`, { mode: 0o600 });

  // Start-up checks first: a world-readable file and a missing one are refused.
  chmodSync(file, 0o644);
  const bad = await c.cli(['run', '--etcd-endpoints', c.etcd.endpoints.join(','), '--listen', `${c.rrAddress}:0`, '--router-id', c.rrAddress, '--password-file', file]);
  t.equal(bad.code, 2, 'bgp-rr run refuses a password file readable by others (exit 2)');
  t.match(bad.stderr, /password file .* has mode 0644: it must not be readable or writable by group or others \(run: chmod 600/, 'and says how to fix it');
  const missing = await c.cli(['run', '--etcd-endpoints', c.etcd.endpoints.join(','), '--listen', `${c.rrAddress}:0`, '--router-id', c.rrAddress, '--password-file', `${file}.nope`]);
  t.equal(missing.code, 2, 'a missing password file: exit 2');
  t.match(missing.stderr, /password file .*\.nope does not exist/);
  chmodSync(file, 0o600);

  c.startReflector(['--password-file', file]);
  await c.reflectorReady();
  const n2 = await birdNode(t, c, 2, RIGHT);
  const n3 = await birdNode(t, c, 3, WRONG);
  await birdNode(t, c, 4);

  const rows = await c.waitEstablished(['n2', 'n4']);
  t.pass('n2 (right password) and n4 (no password) Established');
  await c.waitRoutes('n2', ['172.16.4.0/24']);
  await c.waitRoutes('n4', ['172.16.2.0/24']);
  t.pass('routes flow over the signed session: n2 has n4\'s block and n4 has n2\'s');

  // n3 has been dialling with the wrong key since before n2 came up; give it 20 s more
  // (BIRD: connect delay 2 s, retry 5 s, error wait 5..30 s: several attempts).
  await new Promise((r) => setTimeout(r, 20_000));
  const n3row = (await c.peers()).find((p) => p.node === 'n3');
  t.ok(n3row !== undefined, 'n3 is a configured peer');
  t.not(n3row?.state, 'Established', `n3 (wrong password) is not Established at the replica (${n3row?.state})`);
  const n3bird = [...(await n3.sessions()).values()].join(' ');
  t.notMatch(n3bird, ESTABLISHED, `nor at its BIRD (${n3bird})`);
  t.notOk((await c.birdRoutes('n2')).has('172.16.3.0/24'), 'n3\'s block reaches nobody');
  t.same((await c.peers()).filter((p) => p.node === 'n2').map((p) => p.since), rows.filter((p) => p.node === 'n2').map((p) => p.since), 'n2\'s session untouched meanwhile');

  // The control: the same n3 with the right password comes up.
  setPassword(c, 3, RIGHT);
  const r = await n3.birdc(['configure']);
  t.equal(r.code, 0, `birdc configure: ${r.stdout.trim()}`);
  await c.waitEstablished(['n2', 'n3', 'n4']);
  await c.waitRoutes('n2', ['172.16.3.0/24', '172.16.4.0/24']);
  t.pass('n3 with the right password: Established, its block reaches n2');
  t.ok(n2, 'n2 running');
});

t.test('bgp-rr run: a password file with a bad line is refused, naming the line', async (t) => {
  const dir = tmpDir(t, 'md5-');
  const file = join(dir, 'pw');
  writeFileSync(file, 'not-an-address-or-name!! x\n', { mode: 0o600 });
  const r = await runBgpRr(['run', '--etcd-endpoints', 'http://127.0.0.1:1', '--listen', '127.0.0.1:0', '--router-id', '127.0.0.1', '--control-socket', join(dir, 'c.sock'), '--password-file', file]);
  t.equal(r.code, 2, 'exit 2');
  t.match(r.stderr, /:1: "not-an-address-or-name!!" is neither an IP address nor a BGPPeer name/, 'the line and what is wrong with it');
});

t.test('bgp-rr run: an etcd client key readable by others is refused at start', async (t) => {
  const dir = tmpDir(t, 'tls-');
  const [ca, cert, key] = ['ca.pem', 'client.pem', 'client-key.pem'].map((f) => join(dir, f)) as [string, string, string];
  for (const f of [ca, cert]) writeFileSync(f, '-----BEGIN CERTIFICATE-----\n', { mode: 0o644 });
  writeFileSync(key, '-----BEGIN PRIVATE KEY-----\n', { mode: 0o644 });
  const args = ['run', '--etcd-endpoints', 'https://127.0.0.1:1', '--listen', '127.0.0.1:0', '--router-id', '127.0.0.1', '--control-socket', join(dir, 'c.sock')];
  const env = { ETCD_CA_CERT_FILE: ca, ETCD_CERT_FILE: cert, ETCD_KEY_FILE: key };
  const r = await runBgpRr(args, { extraEnv: env });
  t.equal(r.code, 2, 'exit 2');
  t.match(r.stderr, /etcd key file .*client-key\.pem has mode 0644: a private key must not be readable by others \(run: chmod 600/, 'names the file and the fix');
  chmodSync(key, 0o640);
  chmodSync(ca, 0o666);
  const r2 = await runBgpRr(args, { extraEnv: env });
  t.equal(r2.code, 2, 'a CA file writable by others: exit 2');
  t.match(r2.stderr, /etcd CA file .*ca\.pem has mode 0666: it must not be writable by others/);
});
