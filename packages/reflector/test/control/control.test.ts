import t from 'tap';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { run, tmpDir } from '../../../../test/harness/index.js';
import { requireExecutable } from '../../../../test/harness/tools.js';
import { BGP_RR_BIN, assertBuilt } from '../../../../test/harness/bgp-rr.js';
import { ControlClientError, request } from '../../src/control/client.js';
import { ControlError, ControlServer } from '../../src/control/server.js';
import { parseRequest, type Request } from '../../src/control/protocol.js';
import { main } from '../../src/cli/main.js';

const status = { name: 'rr-1' };
const handler = (req: Request): unknown => {
  switch (req.method) {
    case 'status':
      return status;
    case 'peer':
      throw new ControlError('NO_SUCH_PEER', `no peer ${req.address}`);
    case 'routes':
      if (req.prefix === 'boom') throw new Error('internal failure');
      return [{ prefix: req.prefix ?? 'all', rejected: req.rejected ?? false }];
    default:
      return [];
  }
};

t.test('parseRequest: typed requests, bad ones refused', async (t) => {
  t.same(parseRequest('{"id":1,"method":"peers"}'), { id: 1, method: 'peers' });
  t.same(parseRequest('{"id":2,"method":"peer","address":"10.0.0.1"}'), { id: 2, method: 'peer', address: '10.0.0.1' });
  t.throws(() => parseRequest('{"id":1,"method":"reboot"}'), /unknown method/);
  t.throws(() => parseRequest('{"method":"peers"}'), /id/);
  t.throws(() => parseRequest('{"id":1,"method":"peer"}'), /address required/);
  t.throws(() => parseRequest('[1]'), /not an object|id/);
  t.throws(() => parseRequest('{'));
});

t.test('request/response over the Unix socket; socket mode 0660', async (t) => {
  const dir = tmpDir(t, 'ctl-');
  const path = `${dir}/sub/control.sock`;
  const server = await ControlServer.listen(path, handler);
  t.teardown(() => server.close());
  t.equal(statSync(path).mode & 0o777, 0o660, 'socket is 0660');
  t.same(await request(path, 'status', {}), status);
  t.same(await request(path, 'routes', { prefix: '172.16.0.0/16', rejected: true }), [{ prefix: '172.16.0.0/16', rejected: true }]);
  const e = await request(path, 'peer', { address: '10.9.9.9' }).catch((x: unknown) => x);
  t.ok(e instanceof ControlClientError && e.kind === 'remote' && e.code === 'NO_SUCH_PEER', 'typed remote error');
  const i = await request(path, 'routes', { prefix: 'boom' }).catch((x: unknown) => x);
  t.ok(i instanceof ControlClientError && i.code === 'INTERNAL', 'handler failure is INTERNAL, server keeps going');
  t.same(await request(path, 'status', {}), status, 'still serving');
});

t.test('several requests on one connection are answered in order; garbage gets BAD_REQUEST', async (t) => {
  const dir = tmpDir(t, 'ctl-');
  const path = `${dir}/control.sock`;
  const server = await ControlServer.listen(path, handler);
  t.teardown(() => server.close());
  const lines = await new Promise<string[]>((resolve, reject) => {
    const s = createConnection(path);
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      const l = buf.split('\n').filter((x) => x !== '');
      if (l.length === 3) {
        s.destroy();
        resolve(l);
      }
    });
    s.on('error', reject);
    s.write('{"id":1,"method":"status"}\nnot json\n{"id":3,"method":"peers"}\n');
  });
  const res = lines.map((l) => JSON.parse(l) as { id: number; ok: boolean; error?: { code: string } });
  t.same(res.map((r) => r.id), [1, 0, 3]);
  t.equal(res[1]!.error?.code, 'BAD_REQUEST');
});

t.test('a second daemon on the same socket is refused; a stale socket file is replaced', async (t) => {
  const dir = tmpDir(t, 'ctl-');
  const path = `${dir}/control.sock`;
  const server = await ControlServer.listen(path, handler);
  await t.rejects(ControlServer.listen(path, handler), /in use/);
  await server.close();
  // A socket file left by a crashed daemon: bound once, never unlinked.
  const stale = createServer();
  await new Promise<void>((r) => stale.listen(path, () => r()));
  await new Promise<void>((r) => {
    stale.close(() => r());
  });
  const again = await ControlServer.listen(path, handler);
  writeFileSync(`${dir}/precious`, 'data');
  await t.rejects(ControlServer.listen(`${dir}/precious`, handler), /not a socket/, 'never removes a file that is not a socket');
  t.teardown(() => again.close());
  t.same(await request(path, 'status', {}), status);
});

t.test('clear errors when the daemon is not running (exit code 2)', async (t) => {
  const dir = tmpDir(t, 'ctl-');
  const e = await request(`${dir}/none.sock`, 'status', {}).catch((x: unknown) => x);
  t.ok(e instanceof ControlClientError && e.kind === 'not-running');
  t.match((e as Error).message, /not running/);
  const notSock = `${dir}/plain-file`;
  writeFileSync(notSock, '');
  const f = await request(notSock, 'status', {}).catch((x: unknown) => x);
  t.ok(f instanceof ControlClientError && f.kind === 'not-running', String(f));
  let err = '';
  const code = await main(['status', '--control-socket', `${dir}/none.sock`], {}, { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } });
  t.equal(code, 2, 'bgp-rr status exits 2');
  t.match(err, /bgp-rr is not running/);
});

t.test('clear error when the socket is not readable by the caller (exit code 2)', async (t) => {
  const dir = tmpDir(t, 'ctl-');
  const path = `${dir}/control.sock`;
  const server = await ControlServer.listen(path, handler);
  t.teardown(() => server.close());
  // A socket mode that refuses the caller. Root ignores permission bits, so as root the
  // CLI runs without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH (util-linux setpriv).
  chmodSync(path, 0);
  // The CLI as installed (bin/bgp-rr.js, see test/harness/bgp-rr.ts), under setpriv.
  assertBuilt();
  const cli = [BGP_RR_BIN, 'status', '--control-socket', path];
  const r = process.getuid?.() === 0
    ? await run(requireExecutable('setpriv', ['/usr/bin/setpriv', '/bin/setpriv'], 'util-linux'), ['--bounding-set=-dac_override,-dac_read_search', ...cli], { timeoutMs: 30_000 })
    : await run(cli[0]!, cli.slice(1), { timeoutMs: 30_000 });
  t.equal(r.code, 2, `exit 2 (${r.stderr})`);
  t.match(r.stderr, /cannot open .*control\.sock: permission denied \(run as root or as a member of the socket's group\)/);
});
