import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_DIR } from './locks.js';
import { formatOwner, selfOwner } from './liveness.js';
import { acquireHeavySlot } from './slots.js';

t.test('a slot is exclusive and is handed over on release', async (t) => {
  // Uses the real slot heavy.0 (briefly): if a heavy test runs elsewhere, we wait.
  const first = await acquireHeavySlot(t, { slots: 1 });
  t.equal(first.index, 0);
  t.equal(readFileSync(join(LOCK_DIR, 'heavy.0'), 'utf8'), formatOwner(selfOwner()));
  let second = false;
  const waiting = acquireHeavySlot(t, { slots: 1 }).then((s) => {
    second = true;
    return s;
  });
  await new Promise((r) => setTimeout(r, 1200));
  t.notOk(second, 'second request waits while the slot is held');
  first.release();
  const s2 = await waiting;
  t.ok(second, 'second request gets the slot after release');
  s2.release();
  const left = existsSync(join(LOCK_DIR, 'heavy.0')) ? readFileSync(join(LOCK_DIR, 'heavy.0'), 'utf8') : '';
  t.not(left, formatOwner(selfOwner()), 'released: the slot is no longer ours');
});

t.test('gives up after its timeout', async (t) => {
  const held = await acquireHeavySlot(t, { slots: 1 });
  await t.rejects(acquireHeavySlot(t, { slots: 1, timeoutMs: 600 }), /no heavy-test slot free within 600 ms/);
  held.release();
});
