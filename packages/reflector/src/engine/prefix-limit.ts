/**
 * The prefix limit: how many paths one peer may have us hold per address family, and what
 * happens past it. The one home of this rule (`--max-prefixes N`, `--max-prefixes-action`).
 * PURE apart from the injected Clock (the backoff timer).
 *
 * What is counted: the paths the peer has in the Adj-RIB-In for the family, accepted or
 * rejected alike (both cost memory; RFC 4486 §4 speaks of "the number of address prefixes
 * received from the peer"), stale ones excepted: after a graceful restart (RFC 4724) or a
 * BoRR (RFC 7313) the peer re-sends its table, and its old paths, waiting to be refreshed
 * or swept, are not its table. With ADD-PATH each path counts. Only a path that is new
 * (not an update of one already held) can take the count over the limit.
 *
 * What happens (BIRD's `import limit N action ...` words):
 *   cease  RFC 4486 §4: the session is closed with Cease subcode 1 "Maximum Number of
 *          Prefixes Reached", data AFI (2) | SAFI (1) | upper bound (4); the path that
 *          went over is not stored, nor anything after it. The session is kept down for a
 *          backoff that doubles with each repeat (60 s .. 300 s, BIRD's `error wait time`;
 *          jittered down by up to a quarter, RFC 4271 §10), starting again from 60 s
 *          once the peer stayed up 10 minutes (RFC 4271 §8.1.1 DampPeerOscillations in
 *          spirit); then it may come back. The default.
 *   block  the session stays up; a path past the limit is dropped, not stored (it would
 *          cost the memory the limit protects) and logged once per crossing. When the peer
 *          withdraws enough to be back under its limit, we ask it for the family again
 *          (ROUTE-REFRESH, RFC 2918), if it supports it, so that what was dropped can fit
 *          — at most once a minute per family: a peer that stays at its limit and drops
 *          a path at a time is not asked for its whole table each time.
 *   warn   everything is stored; crossing the limit is reported once.
 * Each crossing gives one `limitExceeded` feed event; getting back under gives `limitCleared`.
 */
import { CeaseSubcode, ErrorCode, type Clock, type TimerHandle } from '@bgp-rr/bgp-speaker';

/** What happens when a peer goes past --max-prefixes (BIRD's `import limit ... action` words). */
export type PrefixLimitAction = 'cease' | 'block' | 'warn';

export const PREFIX_LIMIT_ACTIONS: readonly PrefixLimitAction[] = ['cease', 'block', 'warn'];

export interface PrefixLimitSettings {
  /** Paths per peer and family; 0: no limit. */
  readonly max: number;
  readonly action: PrefixLimitAction;
  readonly backoff?: BackoffOptions;
}

/**
 * RFC 4486 §4: "If a BGP speaker decides to terminate its peering because the number
 * of address prefixes received from the peer exceeds a locally configured upper
 * bound, then the speaker MUST send ... a NOTIFICATION message with the Error Code
 * Cease and the Error Subcode 'Maximum Number of Prefixes Reached'. The message MAY
 * optionally include the Address Family information [RFC4760] and the upper bound in
 * the 'Data' field":  AFI (2 octets) | SAFI (1 octet) | Prefix upper bound (4 octets).
 */
export function maxPrefixNotification(e: { afi: number; safi: number; limit: number }): { code: number; subcode: number; data: Uint8Array } {
  const data = new Uint8Array(7);
  const v = new DataView(data.buffer);
  v.setUint16(0, e.afi);
  v.setUint8(2, e.safi);
  v.setUint32(3, Math.min(e.limit, 0xffffffff) >>> 0);
  return { code: ErrorCode.CEASE, subcode: CeaseSubcode.MAX_PREFIXES, data };
}

/** Decodes RFC 4486 §4 data (for logs and tests); null when it is not 7 octets. */
export function decodeMaxPrefixData(data: Uint8Array): { afi: number; safi: number; limit: number } | null {
  if (data.length !== 7) return null;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { afi: v.getUint16(0), safi: v.getUint8(2), limit: v.getUint32(3) };
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

/** Per-peer penalty after a limit Cease: when it may come back, growing with repeats. */
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

/** What to do with one new path of a peer (see `PrefixLimits.admit`). */
export type Admission =
  | { readonly verdict: 'store' }
  /** Over the limit: store anyway (warn) or drop it (block); `first`: this is the crossing. */
  | { readonly verdict: 'warn' | 'block'; readonly first: boolean }
  /** Over the limit: close the session with this Cease; it may come back in `restartInMs`. */
  | { readonly verdict: 'cease'; readonly subcode: number; readonly data: Uint8Array; readonly restartInMs: number; readonly attempt: number };

const STORE: Admission = { verdict: 'store' };

interface FamilyState {
  /** Over the limit since the last crossing (warn, block). */
  exceeded: boolean;
  /** Paths were dropped (block): a refresh is due once there is room again. */
  dropped: boolean;
  /** When the last refresh was asked (clock ms), and the one waiting for the interval to end. */
  lastRefresh: number;
  refreshTimer: TimerHandle | undefined;
}

/** Least time between two route refreshes asked of one peer for one family (ms). */
export const REFRESH_INTERVAL_MS = 60_000;

/** The prefix-limit state of every peer; the engine asks it about each new path. */
export class PrefixLimits {
  readonly #peers = new Map<string, Map<number, FamilyState>>();
  readonly #backoff: ReconnectBackoff;
  readonly #timers = new Map<string, TimerHandle>();

  constructor(
    readonly settings: PrefixLimitSettings,
    private readonly clock: Clock,
    /** Called when a ceased peer's backoff is over. */
    private readonly onBackoffOver: (peer: string) => void,
    /** Called when a peer that had paths dropped should be asked for `family` again. */
    private readonly onRefreshDue: (peer: string, family: number) => void,
  ) {
    this.#backoff = new ReconnectBackoff(settings.backoff, () => clock.random());
  }

  /**
   * A new path of `family` from `peer`, which holds `held` (non-stale) paths of it now.
   * Decides whether it may be stored.
   */
  admit(peer: string, family: number, held: number): Admission {
    const { max, action } = this.settings;
    if (max <= 0 || held + 1 <= max) return STORE;
    if (action === 'cease') {
      const now = this.clock.now();
      const until = this.#backoff.penalise(peer, now);
      const n = maxPrefixNotification({ afi: family >>> 8, safi: family & 0xff, limit: max });
      this.#arm(peer, until - now);
      return { verdict: 'cease', subcode: n.subcode, data: n.data, restartInMs: until - now, attempt: this.#backoff.attempts(peer) };
    }
    const s = this.#state(peer, family);
    const first = !s.exceeded;
    s.exceeded = true;
    if (action === 'block') s.dropped = true;
    return { verdict: action, first };
  }

  /**
   * Paths of `family` left the peer's Adj-RIB-In (withdrawn, swept, cleared): it holds
   * `held` (non-stale) now. Returns true when that takes it back under its limit after a
   * crossing; if paths were dropped meanwhile, a refresh is asked (`onRefreshDue`) now or,
   * within REFRESH_INTERVAL_MS of the last one, when the interval ends.
   */
  afterRemoval(peer: string, family: number, held: number): boolean {
    const s = this.#peers.get(peer)?.get(family);
    if (s === undefined || !s.exceeded || held >= this.settings.max) return false;
    s.exceeded = false;
    if (s.dropped) {
      s.dropped = false;
      this.#refresh(peer, family, s);
    }
    return true;
  }

  /** A new session of `peer` is Established: it starts within its limits; its stable period starts. */
  sessionUp(peer: string): void {
    this.#dropState(peer);
    this.#backoff.up(peer, this.clock.now());
  }

  /** The peer was removed from the configuration. */
  forget(peer: string): void {
    this.#dropState(peer);
    this.#backoff.forget(peer);
    this.#timers.get(peer)?.cancel();
    this.#timers.delete(peer);
  }

  /** ms until a ceased peer may come back (0: it may). */
  backoffRemaining(peer: string): number {
    return this.#backoff.remaining(peer, this.clock.now());
  }

  close(): void {
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
    for (const peer of [...this.#peers.keys()]) this.#dropState(peer);
  }

  #state(peer: string, family: number): FamilyState {
    let m = this.#peers.get(peer);
    if (m === undefined) this.#peers.set(peer, (m = new Map()));
    let s = m.get(family);
    if (s === undefined) m.set(family, (s = { exceeded: false, dropped: false, lastRefresh: -Infinity, refreshTimer: undefined }));
    return s;
  }

  #dropState(peer: string): void {
    for (const s of this.#peers.get(peer)?.values() ?? []) s.refreshTimer?.cancel();
    this.#peers.delete(peer);
  }

  #refresh(peer: string, family: number, s: FamilyState): void {
    if (s.refreshTimer !== undefined) return; // one is already waiting
    const wait = s.lastRefresh + REFRESH_INTERVAL_MS - this.clock.now();
    const ask = (): void => {
      s.refreshTimer = undefined;
      s.lastRefresh = this.clock.now();
      this.onRefreshDue(peer, family);
    };
    if (wait <= 0) ask();
    else s.refreshTimer = this.clock.setTimer(wait, ask);
  }

  #arm(peer: string, ms: number): void {
    this.#timers.get(peer)?.cancel();
    this.#timers.set(
      peer,
      this.clock.setTimer(ms, () => {
        this.#timers.delete(peer);
        this.onBackoffOver(peer);
      }),
    );
  }
}
