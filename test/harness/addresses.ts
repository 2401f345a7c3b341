/**
 * Loopback address blocks for tests: every test file (every lease) gets its own
 * 127.N.0.0/16 so that daemons can all listen on port 179 without colliding, even
 * with several tap processes and several engineers running tests at once.
 *
 * Linux answers for all of 127.0.0.0/8 on `lo` (the route is `local 127.0.0.0/8`),
 * so no address has to be configured.
 *
 * Exclusivity: one lock file per block in /tmp/bgp-rr-test/locks, named `127.N`
 * (locks.ts: atomic creation, holder pid and start time, stale locks of dead
 * holders reclaimed).
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { harnessTeardown, type Teardown } from './cleanup.js';
import { formatOwner, selfOwner } from './liveness.js';
import { holdLock, LOCK_DIR, tryLockFile } from './locks.js';

export { LOCK_DIR } from './locks.js';

/** Blocks handed out: 127.FIRST.0.0/16 .. 127.LAST.0.0/16. */
export const FIRST_BLOCK = 20;
export const LAST_BLOCK = 250;

export interface LoopbackBlock {
  /** "127.N" */
  readonly prefix: string;
  /** "127.N.0.0/16" */
  readonly cidr: string;
  /** N */
  readonly n: number;
  /** 127.N.(i>>8).(i&255), 1 <= i <= 65534. */
  addr(i: number): string;
  /** Gives the block back; idempotent. Done automatically on teardown. */
  release(): void;
}

export interface LeaseOptions {
  /** How long to wait for a free block when all are taken (default 60 s). */
  timeoutMs?: number;
}

let leaseCounter = 0;

/** Leases a 127.N.0.0/16 for the duration of test t. */
export async function leaseLoopbackBlock(t: Teardown, opts: LeaseOptions = {}): Promise<LoopbackBlock> {
  const block = await acquireBlock(opts.timeoutMs ?? 60_000);
  harnessTeardown(t, () => block.release());
  return block;
}

/** Same as leaseLoopbackBlock without a test: the caller must release() (the exit handler also does). */
export async function acquireBlock(timeoutMs = 60_000): Promise<LoopbackBlock> {
  mkdirSync(LOCK_DIR, { recursive: true });
  const owner = formatOwner(selfOwner());
  const count = LAST_BLOCK - FIRST_BLOCK + 1;
  // Spread starting points so parallel processes rarely try the same block first.
  const start = (process.pid * 7 + leaseCounter++ * 13) % count;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (let k = 0; k < count; k++) {
      const n = FIRST_BLOCK + ((start + k) % count);
      if (tryLock(n, owner)) return makeBlock(n, owner);
    }
    if (Date.now() > deadline) {
      throw new Error(`no free loopback block 127.${FIRST_BLOCK}-${LAST_BLOCK}.0.0/16 within ${timeoutMs} ms (locks in ${LOCK_DIR})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function lockPath(n: number): string {
  return join(LOCK_DIR, `127.${n}`);
}

/** One attempt at block n: true if we now hold it. */
export function tryLock(n: number, owner: string): boolean {
  return tryLockFile(lockPath(n), owner);
}

function makeBlock(n: number, owner: string): LoopbackBlock {
  const release = holdLock(lockPath(n), owner);
  const prefix = `127.${n}`;
  return {
    prefix,
    cidr: `${prefix}.0.0/16`,
    n,
    addr(i: number): string {
      if (!Number.isInteger(i) || i < 1 || i > 65534) {
        throw new RangeError(`loopback address index ${i} outside 1..65534`);
      }
      return `${prefix}.${i >> 8}.${i & 255}`;
    },
    release,
  };
}

/**
 * A TCP port that was free on host a moment ago (the kernel picks it). Another
 * process may take it before you bind it; within your own leased block that
 * cannot happen through another test, so prefer fixed ports (179) on leased
 * addresses and use this for auxiliary listeners (etcd client/peer ports).
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const address = srv.address();
      srv.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error(`no port from ${String(address)}`));
      });
    });
  });
}
