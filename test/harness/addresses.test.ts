import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIRST_BLOCK, LAST_BLOCK, LOCK_DIR, freePort, leaseLoopbackBlock, tryLock } from './addresses.js';
import { formatOwner, selfOwner } from './liveness.js';
import { spawnProc, waitFor } from './proc.js';

const child = fileURLToPath(new URL('./fixtures/lease-child.ts', import.meta.url));
const tsx = ['--import', 'tsx', child];

t.test('a block is 127.N.0.0/16 and addr(i) is 127.N.(i>>8).(i&255)', async (t) => {
  const block = await leaseLoopbackBlock(t);
  t.ok(block.n >= FIRST_BLOCK && block.n <= LAST_BLOCK, `N=${block.n} in range`);
  t.equal(block.prefix, `127.${block.n}`);
  t.equal(block.cidr, `127.${block.n}.0.0/16`);
  t.equal(block.addr(1), `127.${block.n}.0.1`);
  t.equal(block.addr(258), `127.${block.n}.1.2`);
  t.equal(block.addr(65534), `127.${block.n}.255.254`);
  t.throws(() => block.addr(0), RangeError);
  t.throws(() => block.addr(65535), RangeError);
  t.throws(() => block.addr(1.5), RangeError);
  t.equal(readFileSync(join(LOCK_DIR, block.prefix), 'utf8'), formatOwner(selfOwner()), 'lock file names its holder');
});

t.test('two leases in one process get different blocks; release removes the lock', async (t) => {
  const a = await leaseLoopbackBlock(t);
  const b = await leaseLoopbackBlock(t);
  t.not(a.n, b.n);
  a.release();
  a.release(); // idempotent
  t.notOk(existsSync(join(LOCK_DIR, a.prefix)), 'lock of a removed');
  t.ok(existsSync(join(LOCK_DIR, b.prefix)), 'lock of b kept');
});

t.test('a block held by a live process is refused; after its holder is SIGKILLed it is reclaimed', async (t) => {
  const holder = spawnProc(t, process.execPath, [...tsx, 'lease'], { name: 'lease-holder' });
  const m = await holder.waitForOutput(/LEASED (\d+)/, { timeoutMs: 20_000 });
  const n = Number(m[1]);
  const owner = formatOwner(selfOwner());
  t.notOk(tryLock(n, owner), 'held by a live process: refused');
  await holder.kill('SIGKILL');
  t.ok(existsSync(join(LOCK_DIR, `127.${n}`)), 'SIGKILL left a stale lock behind');
  t.ok(tryLock(n, owner), 'stale lock of a dead holder reclaimed');
  t.equal(readFileSync(join(LOCK_DIR, `127.${n}`), 'utf8'), owner);
  // give it back
  const { unlinkSync } = await import('node:fs');
  unlinkSync(join(LOCK_DIR, `127.${n}`));
});

t.test('a holder that exits on SIGTERM releases its block', async (t) => {
  const holder = spawnProc(t, process.execPath, [...tsx, 'lease'], { name: 'lease-holder' });
  const m = await holder.waitForOutput(/LEASED (\d+)/, { timeoutMs: 20_000 });
  await holder.kill('SIGTERM');
  await waitFor(() => !existsSync(join(LOCK_DIR, `127.${m[1]}`)), { what: 'lock released', timeoutMs: 5_000 });
  t.pass('released by the exit handler');
});

t.test('locks are exclusive when four processes race for the same blocks', async (t) => {
  const first = LAST_BLOCK - 40;
  const last = LAST_BLOCK;
  const goAt = String(Date.now() + 3_000);
  const racers = [1, 2, 3, 4].map((i) =>
    spawnProc(t, process.execPath, [...tsx, 'race', String(first), String(last), goAt], { name: `racer${i}` }),
  );
  const infos = await Promise.all(racers.map((r) => r.exited));
  t.same(
    infos.map((i) => i.code),
    [0, 0, 0, 0],
    'all racers finished',
  );
  t.comment(`blocks won per racer: ${racers.map((r) => (r.stdout.match(/GOT/g) ?? []).length).join(', ')}`);
  const won = racers.flatMap((r) => [...r.stdout.matchAll(/GOT (\d+)/g)].map((m) => Number(m[1])));
  t.equal(new Set(won).size, won.length, `no block won twice (${won.length} won)`);
  t.ok(won.length > 0, 'some blocks were won');
});

t.test('freePort returns a port that can be bound on the leased address', async (t) => {
  const block = await leaseLoopbackBlock(t);
  const host = block.addr(1);
  const port = await freePort(host);
  t.ok(port > 0 && port < 65536);
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
  t.pass(`bound ${host}:${port}`);
});
