/** Secrets (secrets.ts): the password file format and permission checks on real files. */
import t from 'tap';
import { chmodSync, chownSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTlsFiles, loadPasswordFile, parsePasswordFile, SecretsError } from '../../src/daemon/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'bgp-rr-secrets-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string, mode: number): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

const SAMPLE = ['# reflector passwords', '', '10.0.0.11   s3cret', 'FD00:0::11 v6-secret', 'rr-peers    two words # not a comment', '  10.0.0.12\tx  '].join('\n');

t.test('format: address or BGPPeer name, then the rest of the line', async (t) => {
  const p = parsePasswordFile(SAMPLE);
  t.same(
    p.entries.map((e) => [e.key, e.password, e.line]),
    [
      ['10.0.0.11', 's3cret', 3],
      ['fd00::11', 'v6-secret', 4],
      ['rr-peers', 'two words # not a comment', 5],
      ['10.0.0.12', 'x', 6],
    ],
  );
  t.equal(p.passwordFor({ address: '10.0.0.11' }), 's3cret', 'by address');
  t.equal(p.passwordFor({ address: 'fd00:0:0::11' }), 'v6-secret', 'IPv6 compared in canonical form');
  t.equal(p.passwordFor({ address: '10.0.0.99', bgpPeers: ['zz', 'rr-peers'] }), 'two words # not a comment', 'by BGPPeer name');
  t.equal(p.passwordFor({ address: '10.0.0.11', bgpPeers: ['rr-peers'] }), 's3cret', 'the address wins over the BGPPeer name');
  t.equal(p.passwordFor({ address: '10.0.0.99' }), undefined, 'no entry: no password');
});

t.test('format errors name the line', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['key without password', '10.0.0.1', /:1: expected "ADDRESS-or-BGPPeer-name PASSWORD"/],
    ['neither address nor name', 'Bad_Name pw', /:1: "Bad_Name" is neither an IP address nor a BGPPeer name/],
    ['duplicate key', '10.0.0.1 a\n10.0.0.1 b', /:2: 10.0.0.1 already has a password on line 1/],
    ['duplicate after canonical form', 'fd00::1 a\nFD00:0::1 b', /:2: fd00::1 already has a password on line 1/],
    ['password over 80 bytes (TCP_MD5SIG_MAXKEYLEN)', `10.0.0.1 ${'x'.repeat(81)}`, /81 bytes; TCP MD5 allows at most 80/],
  ];
  for (const [name, text, re] of cases) t.throws(() => parsePasswordFile(text, 'pw'), re, name);
  t.doesNotThrow(() => parsePasswordFile(`10.0.0.1 ${'x'.repeat(80)}`), '80 bytes is fine');
});

t.test('password file: mode 0600 required', async (t) => {
  const ok = file('ok', SAMPLE, 0o600);
  t.equal(loadPasswordFile(ok).passwordFor({ address: '10.0.0.11' }), 's3cret');
  t.equal(loadPasswordFile(file('ro', SAMPLE, 0o400)).entries.length, 4, '0400 is fine');
  for (const mode of [0o640, 0o604, 0o644, 0o660, 0o602]) {
    const p = file(`m${mode.toString(8)}`, SAMPLE, mode);
    t.throws(() => loadPasswordFile(p), { name: 'SecretsError', code: 'password-file', message: new RegExp(`mode 0${mode.toString(8)}: it must not be readable or writable by group or others \\(run: chmod 600 `) }, `mode 0${mode.toString(8)} refused`);
  }
});

t.test('password file: missing, a directory, another owner', async (t) => {
  t.throws(() => loadPasswordFile(join(dir, 'nope')), /password file .*nope does not exist/);
  t.throws(() => loadPasswordFile(dir), /is not a regular file/);
  const p = file('owned', SAMPLE, 0o600);
  const me = process.getuid?.() ?? 0;
  // As root the file can be given away; otherwise claim the daemon runs as someone else.
  if (me === 0) chownSync(p, 12345, 12345);
  const daemonUid = me === 0 ? 0 : me + 12345;
  t.throws(() => loadPasswordFile(p, daemonUid), /is owned by uid \d+: it must be owned by the daemon's user/, 'owner checked against the daemon uid');
});

t.test('password file: a symbolic link is judged by its target', async (t) => {
  const target = file('target', SAMPLE, 0o644);
  const link = join(dir, 'link');
  symlinkSync(target, link);
  t.throws(() => loadPasswordFile(link), /mode 0644/);
  chmodSync(target, 0o600);
  t.equal(loadPasswordFile(link).entries.length, 4);
});

t.test('etcd TLS files: key not world-readable, nothing world-writable', async (t) => {
  const ca = file('ca.pem', 'ca', 0o644);
  const cert = file('cert.pem', 'cert', 0o644);
  const key = file('key.pem', 'key', 0o600);
  t.doesNotThrow(() => checkTlsFiles({ caFile: ca, certFile: cert, keyFile: key }));
  chmodSync(key, 0o640);
  t.doesNotThrow(() => checkTlsFiles({ caFile: ca, certFile: cert, keyFile: key }), '0640 (service group) is fine for the key');
  chmodSync(key, 0o644);
  t.throws(() => checkTlsFiles({ certFile: cert, keyFile: key }), { code: 'tls-file', message: /etcd key file .*key.pem has mode 0644: a private key must not be readable by others/ });
  chmodSync(key, 0o600);
  chmodSync(ca, 0o646);
  t.throws(() => checkTlsFiles({ caFile: ca }), /etcd CA file .*ca.pem has mode 0646: it must not be writable by others/);
  t.throws(() => checkTlsFiles({ caFile: join(dir, 'missing.pem') }), /etcd CA file .*missing.pem does not exist/);
  t.doesNotThrow(() => checkTlsFiles({}), 'no TLS: nothing to check');
  t.ok(new SecretsError('tls-file', 'x') instanceof Error);
});
