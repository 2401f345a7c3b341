/**
 * Input fairness: a per-peer budget of UPDATE messages processed (a token bucket each), so
 * one flapping peer cannot starve the others. PURE: every method takes `now` (ms) from the
 * caller's clock; the peer guard (peer-guard.ts) pauses the reading of a socket whose peer
 * has spent its budget, until `msUntil` says a token is back.
 */
/**
 * A token bucket: `capacity` tokens, refilled at `ratePerSec`. One token = one UPDATE
 * message processed. Starts full.
 */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly capacity: number,
    readonly ratePerSec: number,
    now: number,
  ) {
    if (!(capacity > 0) || !(ratePerSec > 0)) throw new RangeError('token bucket: capacity and rate must be > 0');
    this.#tokens = capacity;
    this.#at = now;
  }

  #refill(now: number): void {
    if (now > this.#at) {
      this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#at) * this.ratePerSec) / 1000);
      this.#at = now;
    }
  }

  available(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /** Takes n tokens if there are; false (and takes nothing) otherwise. */
  take(now: number, n = 1): boolean {
    this.#refill(now);
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }

  /** Takes n tokens even into debt (a message already read must be processed). */
  charge(now: number, n = 1): void {
    this.#refill(now);
    this.#tokens -= n;
  }

  /** ms until at least n tokens are available (0: now). */
  msUntil(now: number, n = 1): number {
    this.#refill(now);
    return this.#tokens >= n ? 0 : Math.ceil(((n - this.#tokens) * 1000) / this.ratePerSec);
  }
}

export interface UpdateBudgetOptions {
  /** Sustained UPDATE messages per second per peer (default 2,000). */
  readonly ratePerSec?: number;
  /** Burst per peer (default 10,000: a full table dump of a node arrives at once). */
  readonly burst?: number;
}

/**
 * One TokenBucket per peer. `charge(peer, n, now)` after processing n UPDATEs returns
 * how long to pause reading that peer's socket (0: keep reading).
 */
export class UpdateBudget {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly rate: number;
  readonly burst: number;

  constructor(o: UpdateBudgetOptions = {}) {
    this.rate = o.ratePerSec ?? 2000;
    this.burst = o.burst ?? 10_000;
  }

  charge(peer: string, n: number, now: number): number {
    let b = this.#buckets.get(peer);
    if (b === undefined) this.#buckets.set(peer, (b = new TokenBucket(this.burst, this.rate, now)));
    b.charge(now, n);
    return b.msUntil(now, 1);
  }

  forget(peer: string): void {
    this.#buckets.delete(peer);
  }
}
