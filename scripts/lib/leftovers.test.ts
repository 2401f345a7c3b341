import t from 'tap';
import { readFileSync } from 'node:fs';
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
