import t from 'tap';
import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run, spawnProc, tmpDir } from '../../test/harness/index.js';
import { processStartTime } from '../../test/harness/liveness.js';

const script = fileURLToPath(new URL('./leftovers.mjs', import.meta.url));

t.test('a process of the run left behind: named, one failed assertion, killed; then nothing is left', async (t) => {
  const dir = tmpDir(t, 'left-');
  const id = `leftovers-test-${process.pid}-${Date.now()}`;
  // As a daemon a test forgot: it carries the run's mark (scripts/test.sh exports it).
  const forgotten = spawnProc(t, 'sleep', ['300'], { name: 'forgotten', extraEnv: { BGP_RR_TEST_RUN: id } });
  const other = spawnProc(t, 'sleep', ['301'], { name: 'not-ours', extraEnv: { BGP_RR_TEST_RUN: `${id}-another-run` } });

  const first = await run(process.execPath, [script, id, `${dir}/1.tap`]);
  t.equal(first.code, 1, 'exit 1');
  t.match(first.stdout, new RegExp(`leftovers: FAILED: .*\\n  process sleep \\(pid ${forgotten.pid}\\): sleep 300`), 'names it');
  t.match(readFileSync(`${dir}/1.tap`, 'utf8'), /^not ok 1 - no BIRD, etcd, gobgpd, bgp-rr or other test process .*\n[^]*sleep \(pid \d+\): sleep 300/m, 'a failed assertion for the count');
  t.notMatch(first.stdout, /sleep 301/, 'another run\'s process is not ours');
  await forgotten.exited;
  t.equal(processStartTime(forgotten.pid), undefined, 'killed');
  t.ok(other.running, 'the other run\'s process untouched');

  const second = await run(process.execPath, [script, id, `${dir}/2.tap`]);
  t.equal(second.code, 0, 'nothing left now');
  t.match(second.stdout, /^leftovers: none/);
  t.match(readFileSync(`${dir}/2.tap`, 'utf8'), /^ok 1 - no BIRD/m);
});

t.test('--all (CI): a BIRD, etcd or gobgpd started during the run is a leftover, a service started before it is not', async (t) => {
  const dir = tmpDir(t, 'left-all-');
  // A process with a daemon's name of its own (the real names would catch other runs' daemons on this machine).
  const NAME = 'bgprrfakedaemon';
  copyFileSync('/bin/sleep', `${dir}/${NAME}`);
  chmodSync(`${dir}/${NAME}`, 0o755);
  const env = { ...process.env, BGP_RR_LEFTOVER_DAEMONS: NAME };
  const service = spawnProc(t, `${dir}/${NAME}`, ['302'], { name: 'service' });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const after = Math.floor(Date.now() / 1000) + 1; // the run "began" after the service started
  const before = await run(process.execPath, [script, `${after}-${process.pid}`, `${dir}/1.tap`, '--all'], { env });
  t.notMatch(before.stdout, new RegExp(`pid ${service.pid}\\)`), 'started before the run: the distribution\'s service, not ours');
  t.ok(service.running, 'and left alone');
  const during = await run(process.execPath, [script, `${after - 60}-${process.pid}`, `${dir}/2.tap`, '--all'], { env });
  t.match(during.stdout, new RegExp(`process ${NAME} \\(pid ${service.pid}\\)`), 'started during the run: a leftover');
  await service.exited;
  t.equal(processStartTime(service.pid), undefined, 'killed');
});
