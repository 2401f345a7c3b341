/**
 * Graceful restart (RFC 4724) in both roles. Timers come from an injected Clock; the
 * routes themselves live in the route engine (reflector.ts), which this module tells
 * what to sweep.
 *
 * Helper — "Receiving Speaker" (§4.2): a node's BIRD restarts with GR.
 *
 *   Established ──TCP lost, no NOTIFICATION, peer had GR──► Retaining
 *        ▲          (routes of its GR families kept, marked stale;     │
 *        │           RestartTimer = the peer's Restart Time)          │
 *        │                                                             │
 *        │   re-established: families without GR/F-bit swept now;    │
 *        └── StaleTimer armed; each End-of-RIB sweeps its family ◄─────┘
 *            RestartTimer or StaleTimer fires: every stale route swept.
 *   A session ended by a NOTIFICATION (sent or received) is not graceful (we do not
 *   advertise the RFC 8538 N-bit): its routes are removed at once.
 *
 * Restarting speaker (§4.1): after bgp-rr (re)starts it advertises GR with the R-bit and
 * defers sending its table: `SelectionDeferral` releases when every configured peer is
 * Established and has sent End-of-RIB for each negotiated family (peers without GR, or
 * restarting themselves, excepted: they may never send one first), or when the
 * selection deferral timer (bounded, `--selection-deferral`) expires. Until then no client is sent anything, so
 * none sees a partial table; after it, a peer that comes up gets the table and
 * End-of-RIB at once.
 *
 * On SIGTERM the daemon closes every session with a bare TCP close, no NOTIFICATION
 * (speaker.closeSilently): BIRD's GR helper then keeps our routes until we are back
 * and have sent End-of-RIB. `bgp-rr drain` instead sends Cease 6/2 with a shutdown
 * communication (RFC 9003): clients withdraw our routes at once.
 */
import type { Clock, PeerGracefulRestart, TimerHandle } from '@bgp-rr/bgp-speaker';
import { familyKey } from '@bgp-rr/bgp-speaker';

/** What the engine must do with a peer's stale routes. */
export interface StaleSweeper {
  /** Remove the peer's stale routes of `family` (a familyKey), or of every family. */
  sweep(peer: string, family: number | undefined, reason: string): void;
}

interface Retained {
  readonly families: Set<number>;
  timer: TimerHandle | undefined;
  /** 'restart' while the session is down; 'stale' once it is back, until End-of-RIB. */
  phase: 'restart' | 'stale';
  deadline: number;
}

export interface HelperStatus {
  readonly phase: 'restart' | 'stale';
  readonly families: readonly number[];
  /** Clock time (ms) at which the remaining stale routes are swept. */
  readonly deadline: number;
}

export class GracefulRestartHelper {
  readonly #peers = new Map<string, Retained>();

  constructor(
    private readonly clock: Clock,
    private readonly sweeper: StaleSweeper,
    /** Local bound on how long stale routes wait for End-of-RIB after re-establishment. */
    private readonly staleTimeMs = 300_000,
  ) {}

  /**
   * The session left Established. Returns the families whose routes are retained (the
   * caller marks them stale and clears the others), or [] when none are.
   */
  sessionLost(peer: string, peerGr: PeerGracefulRestart | null, endedByNotification: boolean): number[] {
    this.forget(peer);
    if (peerGr === null || endedByNotification || peerGr.restartTime === 0) return [];
    const families = new Set(peerGr.families.map((f) => familyKey(f.afi, f.safi)));
    if (families.size === 0) return [];
    const ms = peerGr.restartTime * 1000;
    const r: Retained = { families, timer: undefined, phase: 'restart', deadline: this.clock.now() + ms };
    r.timer = this.clock.setTimer(ms, () => this.#expire(peer, r, `RFC 4724 §4.2: not back within its restart time (${peerGr.restartTime} s)`));
    this.#peers.set(peer, r);
    return [...families];
  }

  /**
   * The session is Established again. Families retained but not preserved by the new
   * GR capability (absent, or F-bit clear) are swept now (RFC 4724 §4.2); the rest wait
   * for End-of-RIB, bounded by the stale timer.
   */
  sessionEstablished(peer: string, peerGr: PeerGracefulRestart | null): void {
    const r = this.#peers.get(peer);
    if (r === undefined) return;
    r.timer?.cancel();
    const kept = new Set<number>();
    for (const f of peerGr?.families ?? []) if (f.forwardingPreserved) kept.add(familyKey(f.afi, f.safi));
    for (const fk of [...r.families]) {
      if (kept.has(fk)) continue;
      r.families.delete(fk);
      this.sweeper.sweep(peer, fk, 'RFC 4724 §4.2: forwarding state not preserved across the restart');
    }
    if (r.families.size === 0) {
      this.#peers.delete(peer);
      return;
    }
    r.phase = 'stale';
    r.deadline = this.clock.now() + this.staleTimeMs;
    r.timer = this.clock.setTimer(this.staleTimeMs, () => this.#expire(peer, r, 'stale timer expired before End-of-RIB'));
  }

  /** End-of-RIB from `peer` for `family`: its stale routes of that family go (RFC 4724 §4.2). */
  endOfRib(peer: string, family: number): void {
    const r = this.#peers.get(peer);
    if (r === undefined || r.phase !== 'stale' || !r.families.delete(family)) return;
    this.sweeper.sweep(peer, family, 'RFC 4724 §4.2: End-of-RIB received');
    if (r.families.size === 0) {
      r.timer?.cancel();
      this.#peers.delete(peer);
    }
  }

  /** The peer was removed from the configuration: no more timers for it. */
  forget(peer: string): void {
    this.#peers.get(peer)?.timer?.cancel();
    this.#peers.delete(peer);
  }

  status(peer: string): HelperStatus | undefined {
    const r = this.#peers.get(peer);
    return r && { phase: r.phase, families: [...r.families], deadline: r.deadline };
  }

  close(): void {
    for (const p of [...this.#peers.keys()]) this.forget(p);
  }

  #expire(peer: string, r: Retained, reason: string): void {
    if (this.#peers.get(peer) !== r) return;
    this.#peers.delete(peer);
    this.sweeper.sweep(peer, undefined, reason);
  }
}

/** A configured peer as the selection deferral sees it. */
export interface DeferralView {
  readonly established: boolean;
  /** Families it must send End-of-RIB for (none: without GR, or restarting itself). */
  readonly families: readonly number[];
  readonly eorReceived: ReadonlySet<number>;
}

/** Established, and End-of-RIB received for every family waited for. */
export function deferralComplete(p: DeferralView): boolean {
  if (!p.established) return false;
  for (const f of p.families) if (!p.eorReceived.has(f)) return false;
  return true;
}

/**
 * RFC 4724 §4.1 selection deferral for the restarting speaker: hold every outbound
 * table until the peers' initial tables are in, bounded by `deferralMs`.
 */
export class SelectionDeferral {
  #released = false;
  #timer: TimerHandle | undefined;
  #reason = '';
  readonly #waiters: (() => void)[] = [];
  /** Peers that may still be incomplete, oldest first (see `check`). */
  readonly #waiting = new Set<string>();

  constructor(
    private readonly clock: Clock,
    private readonly deferralMs: number,
  ) {}

  /** Starts the bounded wait (at the first configuration). Idempotent. */
  start(): void {
    if (this.#released || this.#timer !== undefined) return;
    if (this.deferralMs <= 0) return this.#release('no selection deferral configured');
    this.#timer = this.clock.setTimer(this.deferralMs, () => this.#release(`selection deferral timer expired (${this.deferralMs / 1000} s)`));
  }

  get released(): boolean {
    return this.#released;
  }

  /** Why the tables were released (for status and logs). */
  get reason(): string {
    return this.#reason;
  }

  /** `peer` may be incomplete now (it was configured, or its session went up or down). */
  waitFor(peer: string): void {
    if (!this.#released) this.#waiting.add(peer);
  }

  /**
   * Releases when every configured peer is Established and complete. `view(peer)`: the
   * peer as the deferral sees it (undefined: no longer configured); `all()`: every
   * configured peer.
   *
   * Amortised O(1) per event: the peers that may still be incomplete (`waitFor`) are
   * looked at oldest first; one found complete leaves the set, the scan stops at the first
   * still incomplete. Only when the set is empty are all peers looked at, once. (A view
   * of every peer per event was O(N²) in a reconnect storm: most of the CPU at N = 2000,
   * and a lazy scan from the first peer still 4 s at N = 5000.)
   */
  check(view: (peer: string) => DeferralView | undefined, all: () => Iterable<DeferralView>): void {
    if (this.#released || this.#timer === undefined) return;
    for (const peer of this.#waiting) {
      const v = view(peer);
      if (v !== undefined && !deferralComplete(v)) return;
      this.#waiting.delete(peer);
    }
    let n = 0;
    for (const p of all()) {
      n++;
      if (!deferralComplete(p)) return;
    }
    if (n > 0) this.#release('End-of-RIB received from every configured peer');
  }

  /** Calls `fn` once released (at once if already). */
  onRelease(fn: () => void): void {
    if (this.#released) fn();
    else this.#waiters.push(fn);
  }

  close(): void {
    this.#timer?.cancel();
  }

  #release(reason: string): void {
    if (this.#released) return;
    this.#released = true;
    this.#waiting.clear();
    this.#reason = reason;
    this.#timer?.cancel();
    for (const fn of this.#waiters.splice(0)) fn();
  }
}
