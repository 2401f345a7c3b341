import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./count-tap.mjs', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function count(file: string): { code: number | null; last: string } {
  const res = spawnSync(process.execPath, [script, file], { encoding: 'utf8' });
  const lines = res.stdout.trimEnd().split('\n');
  return { code: res.status, last: lines[lines.length - 1] ?? '' };
}

t.test('counts assertions; a crashed, throwing or timed-out file counts as one failure', async (t) => {
  // mixed.tap is real tap 21 output for five files: pass (3 assertions), fail (1 ok,
  // 1 not ok), crash (1 ok then process.exit(3)), throw at import, hang (timeout).
  t.same(count(fixture('mixed.tap')), { code: 1, last: '5 passed, 4 failed' });
});

t.test('all passing exits 0', async (t) => {
  t.same(count(fixture('pass.tap')), { code: 0, last: '3 passed, 0 failed' });
});

t.test('no test at all is a failure; skip and todo are not allowed', async (t) => {
  const dir = t.testdir({
    'empty.tap': 'TAP version 14\n1..0\n',
    'skip.tap': 'TAP version 14\nok 1 - a\nok 2 - b # SKIP later\nok 3 - c # TODO later\n1..3\n',
  });
  t.same(count(`${dir}/empty.tap`), { code: 1, last: '0 passed, 1 failed' });
  t.same(count(`${dir}/skip.tap`), { code: 1, last: '1 passed, 2 failed' });
  writeFileSync(`${dir}/bail.tap`, 'TAP version 14\nok 1 - a\nBail out! database down\n');
  t.same(count(`${dir}/bail.tap`), { code: 1, last: '1 passed, 1 failed' });
});

t.test('several files are counted together; each file without a test point is one failure', async (t) => {
  const dir = t.testdir({
    'leftovers-ok.tap': 'TAP version 14\nok 1 - nothing left\n1..1\n',
    'leftovers-bad.tap': 'TAP version 14\nnot ok 1 - nothing left\n1..1\n',
    'empty.tap': 'TAP version 14\n1..0\n',
  });
  const res = (files: string[]) => {
    const r = spawnSync(process.execPath, [script, ...files], { encoding: 'utf8' });
    return { code: r.status, last: r.stdout.trimEnd().split('\n').pop() };
  };
  t.same(res([fixture('pass.tap'), `${dir}/leftovers-ok.tap`]), { code: 0, last: '4 passed, 0 failed' });
  t.same(res([fixture('pass.tap'), `${dir}/leftovers-bad.tap`]), { code: 1, last: '3 passed, 1 failed' });
  t.same(res([`${dir}/empty.tap`, `${dir}/leftovers-ok.tap`]), { code: 1, last: '1 passed, 1 failed' }, 'tap ran nothing: still a failure');
  t.same(res([fixture('pass.tap'), `${dir}/never-written.tap`]), { code: 1, last: '3 passed, 1 failed' }, 'a file a dead step never wrote: one failure, and the count line still comes');
});
