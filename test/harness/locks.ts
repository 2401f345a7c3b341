/**
 * Machine-wide exclusive locks for tests (loopback blocks, heavy-test slots), safe
 * across parallel tap processes and parallel developers.
 *
 * A lock is a file in /tmp/bgp-rr-test/locks holding "pid:starttime" of its holder.
 * It is created atomically with link(2) from a temporary file that already holds
 * the content, so a lock is never seen empty. A lock whose holder is dead (or whose
 * pid now belongs to another process: the start time differs) is reclaimed;
 * reclaiming (read, compare, unlink) happens under a short-lived mkdir mutex so
 * that two reclaimers can never remove a lock that a third process has just taken.
 */
import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onExitSync } from './cleanup.js';
import { isAlive, parseOwner } from './liveness.js';

export const HARNESS_DIR = '/tmp/bgp-rr-test';
export const LOCK_DIR = join(HARNESS_DIR, 'locks');

/** Mutex older than this is left over by a dead reclaimer. */
const RECLAIM_MUTEX_STALE_MS = 10_000;

/** The holder written in the lock at path, or undefined if there is no lock. */
export function readLock(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** One attempt at the lock file path: true if owner now holds it. */
export function tryLockFile(path: string, owner: string): boolean {
  mkdirSync(LOCK_DIR, { recursive: true });
  if (link(path, owner)) return true;
  const holder = readLock(path);
  if (holder === undefined) return link(path, owner); // released in between
  const parsed = parseOwner(holder);
  if (parsed !== undefined && isAlive(parsed)) return false;
  if (!reclaim(path, holder)) return false;
  return link(path, owner);
}

/** Creates path atomically with content; false if it exists. */
function link(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, content);
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** Removes the lock at path if it still holds staleContent; under the reclaim mutex. */
function reclaim(path: string, staleContent: string): boolean {
  const mutex = join(LOCK_DIR, '.reclaim');
  try {
    mkdirSync(mutex);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    try {
      if (Date.now() - statSync(mutex).mtimeMs > RECLAIM_MUTEX_STALE_MS) rmdirSync(mutex);
    } catch {
      // Someone else removed it: fine, we retry later.
    }
    return false;
  }
  try {
    if (readLock(path) !== staleContent) return false;
    unlinkSync(path);
    return true;
  } finally {
    rmdirSync(mutex);
  }
}

/** Removes the lock at path if owner still holds it. */
export function unlockFile(path: string, owner: string): void {
  if (readLock(path) !== owner) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * The release of a lock that owner has just taken with tryLockFile: idempotent, and
 * also run if the process exits first (a lock never outlives its holder's exit path).
 */
export function holdLock(path: string, owner: string): () => void {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    unregister();
    unlockFile(path, owner);
  };
  const unregister = onExitSync(release);
  return release;
}
