/**
 * The control socket's access rule (control/peer-cred.ts, server.ts): created 0660 and
 * owned by the daemon's user and group; a member of the group (here: a child process
 * running as uid/gid 65534 with the socket's group set to 65534) may read but not
 * `drain`; root (this test) may drain.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlServer } from '../../src/control/server.js';
import { mayWrite, peerCredentials } from '../../src/control/peer-cred.js';
import type { Request } from '../../src/control/protocol.js';

const NOBODY = 65534;

/** Sends request lines from a child process running as uid/gid; returns the response lines. */
function askAs(uid: number | undefined, path: string, lines: readonly object[]): Promise<{ id: number; ok: boolean; error?: { message: string } }[]> {
  const code = `
    const c = require('node:net').createConnection(${JSON.stringify(path)});
    let buf = '';
    c.on('data', (d) => { buf += d; if (buf.split('\\n').length > ${lines.length}) { process.stdout.write(buf); c.end(); } });
    c.on('error', (e) => { process.stdout.write(JSON.stringify({ error: e.code }) + '\\n'); });
    c.write(${JSON.stringify(lines.map((l) => JSON.stringify(l)).join('\n') + '\n')});`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', code], { ...(uid !== undefined ? { uid, gid: uid } : {}), timeout: 20_000 }, (err, stdout) => {
      if (err) return reject(new Error(`${err.message}: ${stdout}`));
      resolve(stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: number; ok: boolean; error?: { message: string } }));
    });
  });
}

t.test('mayWrite: root or the daemon user; nobody else; unknown credentials are read-only', async (t) => {
  t.equal(mayWrite({ pid: 1, uid: 0, gid: 0 }, 999), true, 'root');
  t.equal(mayWrite({ pid: 1, uid: 999, gid: 5 }, 999), true, 'the service user');
  t.equal(mayWrite({ pid: 1, uid: 1000, gid: 999 }, 999), false, 'a member of the service group');
  t.equal(mayWrite(null, 999), false, 'credentials unreadable: read-only');
});

t.test('socket 0660 owned by the daemon user and group; the group may read, not drain', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bgp-rr-ctl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const path = join(dir, 'control.sock');
  let drained = 0;
  const server = await ControlServer.listen(path, (req: Request) => {
    if (req.method === 'drain') drained++;
    return { method: req.method };
  });
  t.teardown(() => server.close());
  const st = statSync(path);
  t.equal(st.mode & 0o777, 0o660, 'mode 0660');
  t.same([st.uid, st.gid], [process.getuid!(), process.getgid!()], 'owned by the daemon\'s user and group');

  const asRoot = await askAs(undefined, path, [{ id: 1, method: 'status' }, { id: 2, method: 'drain' }]);
  t.same(asRoot.map((r) => r.ok), [true, true], 'root: status and drain');
  t.equal(drained, 1);

  // Make uid/gid 65534 a member of the socket's group, as `bgp-rr` group members are.
  chownSync(path, process.getuid!(), NOBODY);
  const asMember = await askAs(NOBODY, path, [{ id: 1, method: 'status' }, { id: 2, method: 'drain' }]);
  t.same(asMember.map((r) => r.ok), [true, false], 'a group member: status yes, drain no');
  t.match(asMember[1]?.error?.message ?? '', /permission denied: 'drain' changes state and needs root or the bgp-rr service user/);
  t.equal(drained, 1, 'the drain handler never ran for the group member');

  // Not in the group at all: the socket file itself keeps it out.
  chownSync(path, process.getuid!(), process.getgid!());
  const outsider = await askAs(NOBODY, path, [{ id: 1, method: 'status' }]);
  t.same(outsider, [{ error: 'EACCES' }], 'others cannot connect (mode 0660)');
});

t.test('peerCredentials reads SO_PEERCRED of a connected client', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bgp-rr-cred-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { createServer, createConnection } = await import('node:net');
  const path = join(dir, 's.sock');
  const got = await new Promise<ReturnType<typeof peerCredentials>>((resolve) => {
    const srv = createServer((s) => {
      resolve(peerCredentials(s));
      s.destroy();
      srv.close();
    });
    srv.listen(path, () => createConnection(path).on('error', () => undefined));
  });
  t.same(got, { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() }, 'pid, uid and gid of this very process');
});
