/**
 * PURE limits (issue 5): what one peer may cost the reflector. No sockets, no timers:
 * every function takes `now` (ms) from the caller's clock.
 *
 *   max-prefix      per peer and family; above it, Cease subcode 1 "Maximum Number of
 *                   Prefixes Reached" with RFC 4486 §4 data (AFI, SAFI, upper bound)
 *                   and a reconnect backoff (the peer is refused while it runs).
 *   ReconnectBackoff  the IdleHold schedule after such a Cease (RFC 4271 §8.1.1
 *                   DampPeerOscillations: the delay grows with each repeat).
 *   TokenBucket     per-peer UPDATE processing budget: a peer over budget has its socket
 *                   paused until `msUntil` says a token is back, so one flapping peer
 *                   cannot starve the others (each peer's bucket is its own).
 *
 * Connection caps live in the speaker: unknown addresses are closed at accept, a peer
 * holds at most two connections (RFC 4271 §6.8), and `maxConnections` bounds each
 * listening socket (bgp-speaker SpeakerOptions).
 */
import { Afi, Safi, type Family } from '@bgp-rr/bgp-speaker';

/** What happens when a peer goes past --max-prefixes (BIRD's `import limit ... action` words). */
export type PrefixLimitAction = 'cease' | 'block' | 'warn';

export const DEFAULT_MAX_PREFIXES = 1000;

/** RFC 4486 §2: Cease subcodes used here. */
export const CEASE = 6;
export const CEASE_MAX_PREFIXES = 1;

export interface PrefixLimitExceeded {
  readonly afi: number;
  readonly safi: number;
  readonly limit: number;
  readonly count: number;
}

/**
 * The first family whose accepted-prefix count is above `limit` (limit 0: no limit).
 * `counts` maps a family key `(afi << 8) | safi` (wire familyKey) to its count.
 */
export function checkMaxPrefixes(counts: Iterable<readonly [number, number]>, limit: number): PrefixLimitExceeded | null {
  if (limit <= 0) return null;
  for (const [fk, count] of counts) {
    if (count > limit) return { afi: fk >>> 8, safi: fk & 0xff, limit, count };
  }
  return null;
}

/** Would accepting one more prefix of this family exceed the limit? */
export function wouldExceed(count: number, limit: number): boolean {
  return limit > 0 && count + 1 > limit;
}

/**
 * RFC 4486 §4: "If a BGP speaker decides to terminate its peering because the number
 * of address prefixes received from the peer exceeds a locally configured upper
 * bound, then the speaker MUST send ... a NOTIFICATION message with the Error Code
 * Cease and the Error Subcode 'Maximum Number of Prefixes Reached'. The message MAY
 * optionally include the Address Family information [RFC4760] and the upper bound in
 * the 'Data' field":  AFI (2 octets) | SAFI (1 octet) | Prefix upper bound (4 octets).
 */
export function maxPrefixNotification(e: Pick<PrefixLimitExceeded, 'afi' | 'safi' | 'limit'>): { code: number; subcode: number; data: Uint8Array } {
  const data = new Uint8Array(7);
  const v = new DataView(data.buffer);
  v.setUint16(0, e.afi);
  v.setUint8(2, e.safi);
  v.setUint32(3, Math.min(e.limit, 0xffffffff) >>> 0);
  return { code: CEASE, subcode: CEASE_MAX_PREFIXES, data };
}

/** Decodes RFC 4486 §4 data (for logs and tests); null when it is not 7 octets. */
export function decodeMaxPrefixData(data: Uint8Array): { afi: number; safi: number; limit: number } | null {
  if (data.length !== 7) return null;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { afi: v.getUint16(0), safi: v.getUint8(2), limit: v.getUint32(3) };
}

export function familyName(f: Pick<Family, 'afi' | 'safi'>): string {
  const afi = f.afi === Afi.IPV4 ? 'ipv4' : f.afi === Afi.IPV6 ? 'ipv6' : `afi-${f.afi}`;
  return f.safi === Safi.UNICAST ? `${afi}-unicast` : `${afi}-safi-${f.safi}`;
}

export interface BackoffOptions {
  /** First delay, ms (default 60 s, BIRD's `error wait time` minimum). */
  readonly initialMs?: number;
  /** Upper bound, ms (default 300 s, BIRD's maximum). */
  readonly maxMs?: number;
  /** A peer that stayed up this long (ms) starts again from the first delay. Default 10 min. */
  readonly stableMs?: number;
  /** ± fraction of jitter (default 0.25; RFC 4271 §10 jitters timers by 0.75..1). */
  readonly jitter?: number;
}

/**
 * The delay before the n-th reconnect (n = 1, 2, ...): initial * 2^(n-1), capped, then
 * scaled by a jitter factor `1 - jitter * random` (random in [0, 1), injected).
 */
export function backoffDelay(attempt: number, random: number, o: BackoffOptions = {}): number {
  const initial = o.initialMs ?? 60_000;
  const max = o.maxMs ?? 300_000;
  const jitter = o.jitter ?? 0.25;
  const n = Math.max(1, Math.floor(attempt));
  const raw = Math.min(max, initial * 2 ** Math.min(n - 1, 30));
  return Math.round(raw * (1 - jitter * Math.min(Math.max(random, 0), 1)));
}

/**
 * Per-peer penalty after a limit Cease: while it runs, the peer's connections are
 * refused (Calico nodes dial us, so "reconnect with backoff" = refuse until then).
 */
export class ReconnectBackoff {
  readonly #state = new Map<string, { attempts: number; until: number; lastUp: number }>();

  constructor(
    private readonly o: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {}

  /** The session was torn down for a limit at `now`: returns when it may come back. */
  penalise(peer: string, now: number): number {
    const s = this.#state.get(peer);
    const stable = this.o.stableMs ?? 600_000;
    const attempts = s === undefined || now - s.lastUp >= stable ? 1 : s.attempts + 1;
    const until = now + backoffDelay(attempts, this.random(), this.o);
    this.#state.set(peer, { attempts, until, lastUp: s?.lastUp ?? now });
    return until;
  }

  /** ms until `peer` may connect again (0: now). */
  remaining(peer: string, now: number): number {
    const s = this.#state.get(peer);
    return s === undefined ? 0 : Math.max(0, s.until - now);
  }

  /** The peer's session came up at `now` (starts the stable period). */
  up(peer: string, now: number): void {
    const s = this.#state.get(peer);
    if (s !== undefined) this.#state.set(peer, { ...s, lastUp: now });
  }

  attempts(peer: string): number {
    return this.#state.get(peer)?.attempts ?? 0;
  }

  forget(peer: string): void {
    this.#state.delete(peer);
  }
}

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
