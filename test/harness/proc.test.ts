import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustRun, run, spawnProc, startProc, sweepDeadOwners, sweepDeadTmpDirs, tmpDir, waitFor } from './proc.js';
import { processStartTime } from './liveness.js';

const child = fileURLToPath(new URL('./fixtures/proc-child.ts', import.meta.url));
const tsx = ['--import', 'tsx', child];

function alive(pid: number): boolean {
  return processStartTime(pid) !== undefined;
}

t.test('a spawned sleep is killed on teardown, with its whole process group', async (t) => {
  let leader = 0;
  let grandchild = 0;
  await t.test('inner', async (t) => {
    // sh starts a background sleep (same process group) and then sleeps itself.
    const p = spawnProc(t, 'sh', ['-c', 'sleep 300 & echo "child $!"; exec sleep 301']);
    const m = await p.waitForOutput(/child (\d+)/, { timeoutMs: 10_000 });
    leader = p.pid;
    grandchild = Number(m[1]);
    t.ok(p.running);
    t.ok(alive(leader) && alive(grandchild), 'both running');
  });
  await waitFor(() => !alive(leader) && !alive(grandchild), { what: 'group gone after teardown', timeoutMs: 10_000 });
  t.pass('leader and grandchild are gone');
});

t.test('output is captured and waitForOutput/waitForLine find it', async (t) => {
  const p = spawnProc(t, 'sh', ['-c', 'echo one; echo two >&2; echo \'{"event":"state","state":"Established"}\'; sleep 300']);
  const m = await p.waitForOutput(/two/);
  t.equal(m[0], 'two');
  const line = await p.waitForLine((l) => l.startsWith('{') && (JSON.parse(l) as { state?: string }).state === 'Established');
  t.match(line, /Established/);
  t.match(p.stdout, /one\n/);
  t.match(p.stderr, /two\n/);
  t.notMatch(p.stdout, /two/);
  t.same(p.lines(), ['one', '{"event":"state","state":"Established"}']);
  t.equal(p.lineCount, 2);
  // from: only output after the mark counts
  await t.rejects(p.waitForOutput(/one/, { from: p.outputLength, timeoutMs: 300 }), /timed out after 300 ms/);
  await t.rejects(p.waitForLine((l) => l === 'one', { from: 1, timeoutMs: 300 }), /timed out/);
});

t.test('onLine sees every stdout line; the last line without newline arrives at exit', async (t) => {
  const p = spawnProc(t, 'sh', ['-c', 'echo a; echo b; printf c']);
  const seen: string[] = [];
  p.onLine((l) => seen.push(l));
  const info = await p.exited;
  t.same(info, { code: 0, signal: null });
  await waitFor(() => seen.length === 3, { what: 'three lines', timeoutMs: 5_000 });
  t.same(seen, ['a', 'b', 'c']);
});

t.test('waiting on a process that exits fails at once with its exit and output', async (t) => {
  const p = spawnProc(t, 'sh', ['-c', 'echo bird: cannot open config >&2; exit 3']);
  await t.rejects(p.waitForOutput(/Established/, { timeoutMs: 20_000 }), /exited \(code 3\).*\n[^]*cannot open config/);
});

t.test('a command that does not exist reports the spawn error', async (t) => {
  const p = spawnProc(t, '/nonexistent/bgp-rr-cmd', []);
  const info = await p.exited;
  t.match(info.error?.message, /ENOENT/);
  t.notOk(p.running);
  await t.rejects(p.waitForOutput(/x/), /failed to start/);
  await t.rejects(run('/nonexistent/bgp-rr-cmd'), /cannot run/);
});

t.test('kill() sends SIGTERM, escalates to SIGKILL when ignored, and continues a stopped process', async (t) => {
  // startProc: no test to fail (spawnProc would fail this one, see below).
  const stubborn = startProc('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done']);
  await stubborn.waitForOutput(/ready/);
  const info = await stubborn.kill('SIGTERM', { timeoutMs: 500 });
  t.equal(info.signal, 'SIGKILL', 'SIGTERM ignored, SIGKILL after the grace period');

  const frozen = spawnProc(t, 'sleep', ['300']);
  frozen.signal('SIGSTOP');
  await waitFor(() => /\) T /.test(safeStat(frozen.pid)), { what: 'process stopped', timeoutMs: 5_000 });
  const info2 = await frozen.kill('SIGTERM', { timeoutMs: 5_000 });
  t.equal(info2.signal, 'SIGTERM', 'a stopped process still dies of SIGTERM');
});

function safeStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}

t.test('output is bounded: old output is dropped, marks stay absolute', async (t) => {
  const p = spawnProc(t, 'sh', ['-c', 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done'], {
    maxOutputBytes: 1000,
    maxLines: 100,
  });
  await p.exited;
  await p.waitForLine((l) => l === 'line-1999');
  t.ok(p.output.length <= 1000, `kept ${p.output.length} chars`);
  t.ok(p.lines().length <= 100, `kept ${p.lines().length} lines`);
  t.equal(p.lineCount, 2000, 'lineCount counts dropped lines too');
  t.ok(p.outputLength > 10_000, 'outputLength counts dropped output too');
  t.match(p.output, /line-1999\n$/);
});

t.test('the exit handler kills process groups when the test process dies of SIGTERM', async (t) => {
  const dir = tmpDir(t, 'proc-');
  const pidFile = join(dir, 'pid');
  const parent = spawnProc(t, process.execPath, [...tsx, pidFile]);
  await parent.waitForOutput(/started (\d+)/, { timeoutMs: 20_000 });
  const grandchild = Number(readFileSync(pidFile, 'utf8'));
  t.ok(alive(grandchild), 'the child process started a sleep');
  parent.signal('SIGTERM');
  const info = await parent.exited;
  t.equal(info.signal, 'SIGTERM', 'the test process still died of the signal');
  await waitFor(() => !alive(grandchild), { what: 'sleep killed by the exit handler', timeoutMs: 5_000 });
  t.pass('sleep gone');
});

t.test('processes and tmp dirs left by a SIGKILLed test process are swept by the next one', async (t) => {
  const dir = tmpDir(t, 'proc-');
  const pidFile = join(dir, 'pid');
  const parent = spawnProc(t, process.execPath, [...tsx, pidFile]);
  const m = await parent.waitForOutput(/started (\d+) (\S+)/, { timeoutMs: 20_000 });
  const orphan = Number(readFileSync(pidFile, 'utf8'));
  const orphanDir = m[2] ?? '';
  t.equal(String(orphan), m[1]);
  await parent.kill('SIGKILL');
  t.ok(alive(orphan), 'SIGKILL of the owner leaves the sleep running');
  t.ok(existsSync(orphanDir), 'and its tmp dir');
  sweepDeadOwners();
  sweepDeadTmpDirs();
  await waitFor(() => !alive(orphan), { what: 'orphan swept', timeoutMs: 5_000 });
  t.notOk(existsSync(orphanDir), 'tmp dir of the dead owner swept');
  t.ok(existsSync(dir), 'our own tmp dir kept');
});

t.test('waitFor returns the value, or names what it waited for and the last value/error', async (t) => {
  let n = 0;
  t.equal(await waitFor(() => (++n >= 3 ? n : 0), { what: 'three calls', intervalMs: 1 }), 3);
  await t.rejects(waitFor((): string => 'Active'.slice(6), { what: 'Established', timeoutMs: 50, intervalMs: 10 }), {
    message: /timed out after 50 ms waiting for Established; last value: ""/,
  });
  await t.rejects(
    waitFor(
      () => {
        throw new Error('connection refused');
      },
      { what: 'etcd up', timeoutMs: 50, intervalMs: 10 },
    ),
    { message: /waiting for etcd up; last error: connection refused/ },
  );
});

t.test('tmpDir is removed on teardown', async (t) => {
  let dir = '';
  await t.test('inner', async (t) => {
    dir = tmpDir(t, 'x-');
    writeFileSync(join(dir, 'f'), 'x');
    t.ok(existsSync(join(dir, 'f')));
  });
  t.notOk(existsSync(dir), 'removed');
});

t.test('run and mustRun', async (t) => {
  const r = await run('sh', ['-c', 'cat; echo err >&2; exit 4'], { input: 'hello' });
  t.same(r, { code: 4, signal: null, stdout: 'hello', stderr: 'err\n' });
  await t.rejects(mustRun('sh', ['-c', 'echo nope >&2; exit 1']), /failed \(code 1\): nope/);
  const ok = await mustRun('sh', ['-c', 'echo $BGP_RR_X'], { extraEnv: { BGP_RR_X: 'y' } });
  t.equal(ok.stdout, 'y\n');
  const slow = await run('sleep', ['300'], { timeoutMs: 200 });
  t.equal(slow.signal, 'SIGKILL', 'killed at its timeout');
});

t.test('startProc without a test is killed by kill()', async (t) => {
  const p = startProc('sleep', ['300']);
  t.ok(p.running);
  const info = await p.kill();
  t.equal(info.signal, 'SIGTERM');
  t.notOk(alive(p.pid));
});

/** Runs teardowns as tap does: newest first, stopping at the first that throws (which it returns). */
async function tearDownLikeTap(fns: (() => unknown)[]): Promise<unknown> {
  for (const fn of [...fns].reverse()) {
    try {
      await fn();
    } catch (err) {
      return err;
    }
  }
  return undefined;
}

t.test('a process that ignores SIGTERM fails its test at teardown, named, after every other teardown ran', async (t) => {
  const fns: (() => unknown)[] = [];
  const owner = { teardown: (fn: () => unknown) => void fns.push(fn) };
  const dir = tmpDir(owner, 'esc-');
  // sh ignores SIGTERM (its sleeps die of it, it starts another): only SIGKILL ends it.
  const p = spawnProc(owner, 'sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'], { name: 'stubborn', killTimeoutMs: 500 });
  const quiet = spawnProc(owner, 'sleep', ['300'], { name: 'obedient' });
  await p.waitForOutput(/ready/, { timeoutMs: 10_000 });
  const err = await tearDownLikeTap(fns);
  t.match(String(err), /teardown: stubborn \(pid \d+\) ignored SIGTERM: still running 500 ms later, killed with SIGKILL/, 'the test fails, naming the process and the wait');
  t.notMatch(String(err), /obedient/, 'a process that stops on SIGTERM is not named');
  t.same(p.escalated, { signal: 'SIGTERM', afterMs: 500 });
  t.equal(quiet.escalated, undefined);
  t.notOk(p.running, 'killed all the same');
  t.notOk(existsSync(dir), 'the teardowns registered before it ran too');
});

t.test('an explicit kill() that has to escalate fails the test too; SIGTERM obeyed: no failure', async (t) => {
  const fns: (() => unknown)[] = [];
  const owner = { teardown: (fn: () => unknown) => void fns.push(fn) };
  const p = spawnProc(owner, 'sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'], { name: 'stubborn' });
  await p.waitForOutput(/ready/, { timeoutMs: 10_000 });
  await p.kill('SIGTERM', { timeoutMs: 300 });
  t.match(String(await tearDownLikeTap(fns)), /stubborn \(pid \d+\) ignored SIGTERM: still running 300 ms later/);

  const fns2: (() => unknown)[] = [];
  spawnProc({ teardown: (fn: () => unknown) => void fns2.push(fn) }, 'sleep', ['300']);
  t.equal(await tearDownLikeTap(fns2), undefined, 'nothing to report');
});
