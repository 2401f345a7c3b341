/**
 * The machine-wide heavy slot of test/harness/slots.ts, taken by each benchmark run
 * (one implementation, one N) so that a run never overlaps a heavy integration test
 * (dozens of daemons) on the same machine, and is given back between runs so that
 * those tests are not starved during a long benchmark.
 *
 * Same protocol as test/harness/locks.ts (the benchmark is plain JavaScript and cannot
 * import it): the lock is /tmp/bgp-rr-test/locks/heavy.<k> holding "pid:starttime",
 * created atomically with link(2); a lock whose holder is dead is reclaimed under the
 * short-lived mkdir mutex `.reclaim`.
 */
import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_DIR = '/tmp/bgp-rr-test/locks';
const RECLAIM_MUTEX_STALE_MS = 10_000;

/** Field 22 of /proc/<pid>/stat (start time in ticks), undefined if gone or a zombie. */
function startTime(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest[0] === 'Z' ? undefined : rest[19];
}

const self = () => `${process.pid}:${startTime(process.pid)}`;

function alive(holder) {
  const m = /^(\d+):(\d+)$/.exec(holder.trim());
  return m !== null && startTime(Number(m[1])) === m[2];
}

function link(path, content) {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, content);
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if (err.code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function reclaim(path, stale) {
  const mutex = join(LOCK_DIR, '.reclaim');
  try {
    mkdirSync(mutex);
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    try {
      if (Date.now() - statSync(mutex).mtimeMs > RECLAIM_MUTEX_STALE_MS) rmdirSync(mutex);
    } catch {
      // removed meanwhile
    }
    return false;
  }
  try {
    if (read(path) !== stale) return false;
    unlinkSync(path);
    return true;
  } finally {
    rmdirSync(mutex);
  }
}

function tryLock(path, owner) {
  mkdirSync(LOCK_DIR, { recursive: true });
  if (link(path, owner)) return true;
  const holder = read(path);
  if (holder === undefined) return link(path, owner);
  if (alive(holder)) return false;
  return reclaim(path, holder) && link(path, owner);
}

let held; // { path, owner } while a run holds the slot

/**
 * Waits for a heavy slot (BGP_RR_HEAVY_SLOTS, default 1); `onWait` is told once.
 * Returns how long it waited, in ms.
 */
export async function acquireHeavySlot(onWait = () => undefined) {
  const slots = Math.max(1, Number(process.env.BGP_RR_HEAVY_SLOTS ?? '1') || 1);
  const owner = self();
  const t0 = Date.now();
  let told = false;
  for (;;) {
    for (let k = 0; k < slots; k++) {
      const path = join(LOCK_DIR, `heavy.${k}`);
      if (tryLock(path, owner)) {
        held = { path, owner };
        return Date.now() - t0;
      }
    }
    if (!told) {
      told = true;
      onWait(read(join(LOCK_DIR, 'heavy.0'))?.trim());
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Gives the slot back (idempotent; synchronous, so usable from exit handlers). */
export function releaseHeavySlot() {
  if (held === undefined) return;
  const { path, owner } = held;
  held = undefined;
  if (read(path) === owner) {
    try {
      unlinkSync(path);
    } catch {
      // gone already
    }
  }
}
