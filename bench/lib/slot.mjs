/**
 * The machine-wide heavy slot of test/harness/slots.ts, taken by each benchmark run
 * (one implementation, one N) so that a run never overlaps a heavy integration test
 * (dozens of daemons) on the same machine, and given back between runs so that those
 * tests are not starved during a long benchmark.
 *
 * The lock protocol has one home, test/harness/locks.ts. The benchmark is plain
 * JavaScript: tsx loads the harness here, in a namespace of its own, so nothing else
 * in the benchmark (or the daemons it starts) runs through tsx.
 */
import { register } from 'tsx/esm/api';

const harness = register({ namespace: 'bgp-rr-bench-slot' });
const { acquireHeavySlot: acquire } = await harness.import('../../test/harness/slots.ts', import.meta.url);

/** A whole benchmark may queue behind long test runs: wait as long as it takes. */
const NO_DEADLINE_MS = 7 * 24 * 3600_000;

let held; // the HeavySlot while a run holds it

/**
 * Waits for a heavy slot (BGP_RR_HEAVY_SLOTS, default 1); `onWait(holder)` is told once.
 * Returns how long it waited, in ms.
 */
export async function acquireHeavySlot(onWait = () => undefined) {
  const t0 = Date.now();
  // The slot outlives no run: releaseHeavySlot() (or process exit) gives it back.
  const owner = { teardown: () => undefined, comment: (msg) => onWait(/running: (.*)\)$/.exec(msg)?.[1]) };
  held = await acquire(owner, { timeoutMs: NO_DEADLINE_MS });
  return Date.now() - t0;
}

/** Gives the slot back (idempotent; synchronous, so usable from exit handlers). */
export function releaseHeavySlot() {
  held?.release();
  held = undefined;
}
