/**
 * Heavy-test slots: an integration test that starts many daemons (dozens of BIRDs,
 * three replicas, an etcd cluster) first takes one of BGP_RR_HEAVY_SLOTS (default 1)
 * machine-wide slots, so that such tests never run at the same time on the 2-core
 * machine, whoever starts them (parallel tap jobs, several developers). Light
 * tests run beside them freely.
 *
 * Waiting counts against tap's per-file timeout: give heavy test files a generous
 * one (`t.setTimeout` / the `timeout` tap option).
 */
import { join } from 'node:path';
import { harnessTeardown, type Teardown } from './cleanup.js';
import { formatOwner, selfOwner } from './liveness.js';
import { holdLock, LOCK_DIR, readLock, tryLockFile } from './locks.js';

export interface HeavySlot {
  /** Which slot (0-based). */
  readonly index: number;
  /** Gives the slot back; idempotent. Done automatically on teardown. */
  release(): void;
}

export interface SlotOptions {
  /** Give up after this long (default 15 minutes). */
  timeoutMs?: number;
  /** Number of slots (default BGP_RR_HEAVY_SLOTS or 1). */
  slots?: number;
}

/** Waits for a free heavy-test slot and holds it until t's teardown. */
export async function acquireHeavySlot(
  t: Teardown & { comment?: (...args: unknown[]) => void },
  opts: SlotOptions = {},
): Promise<HeavySlot> {
  const slots = opts.slots ?? Math.max(1, Number(process.env.BGP_RR_HEAVY_SLOTS ?? '1') || 1);
  const timeoutMs = opts.timeoutMs ?? 15 * 60_000;
  const owner = formatOwner(selfOwner());
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    for (let index = 0; index < slots; index++) {
      const path = join(LOCK_DIR, `heavy.${index}`);
      if (!tryLockFile(path, owner)) continue;
      const release = holdLock(path, owner);
      harnessTeardown(t, () => release());
      return { index, release };
    }
    if (Date.now() > deadline) throw new Error(`no heavy-test slot free within ${timeoutMs} ms (locks ${LOCK_DIR}/heavy.*)`);
    if (!told) {
      told = true;
      t.comment?.(`waiting for a heavy-test slot (another integration test is running: ${readLock(join(LOCK_DIR, 'heavy.0'))?.trim() ?? '?'})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
