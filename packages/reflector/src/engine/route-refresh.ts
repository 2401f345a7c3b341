/**
 * Route refresh (RFC 2918) and enhanced route refresh (RFC 7313): the one home of these
 * rules in the reflector. PURE apart from the injected Clock. The update groups do the
 * re-advertising (update-groups/group.ts: a member's `refresh`); the engine applies what
 * is decided here. The speaker's session has already ignored what RFC 7313 §5 and RFC 2918
 * §4 say to ignore (unknown subtypes, families not negotiated for the session).
 *
 * A ROUTE-REFRESH from a peer, for one <AFI, SAFI>, by subtype:
 *   request  RFC 2918 §4: re-advertise our Adj-RIB-Out of that family to the peer — that
 *            family only, and no End-of-RIB (which belongs to the start of a session).
 *            RFC 7313 §4: when enhanced route refresh was negotiated, a BoRR before the
 *            re-advertisement and an EoRR after it. A speaker that supports graceful
 *            restart "MUST NOT send a BoRR ... before it sends the End-of-RIB": a request
 *            that comes while the initial table is going out is answered after its
 *            End-of-RIB; one that comes before any of it was sent (the selection deferral
 *            holds it back) needs no answer: the initial table is the refresh.
 *   borr     RFC 7313 §4: the peer starts re-advertising: mark its paths of the family
 *            stale. "A BGP speaker that has received the Graceful Restart Capability from
 *            its neighbor MUST ignore any BoRRs for an <AFI, SAFI> from the neighbor
 *            before the speaker receives the EoR for the given <AFI, SAFI>".
 *   eorr     the re-advertisement is complete: remove the paths still stale. An EoRR
 *            with no BoRR before it is ignored (the RFC allows it).
 * BoRR/EoRR are only honoured when enhanced route refresh was negotiated.
 * Stale paths wait for the EoRR at most `staleMs` (RFC 7313 §4 allows "a locally
 * configurable upper bound"); then they are removed as if it had come.
 */
import type { Clock, RouteRefreshSubtypeName, TimerHandle } from '@bgp-rr/bgp-speaker';

/** What the session is, as far as a refresh is concerned. */
export interface RefreshContext {
  /** Both sides advertised enhanced route refresh (RFC 7313 §3). */
  readonly enhanced: boolean;
  /** How much of the family's initial table went to this peer: none yet, part, or all with its End-of-RIB. */
  readonly tableSent: 'none' | 'partial' | 'complete';
  /** The peer advertised the graceful restart capability. */
  readonly peerGracefulRestart: boolean;
  /** The peer's End-of-RIB of the family has come. */
  readonly endOfRibReceived: boolean;
}

export type RefreshAction =
  | { readonly action: 'resend'; readonly enhanced: boolean }
  | { readonly action: 'mark-stale' }
  | { readonly action: 'sweep-stale' }
  | { readonly action: 'ignore'; readonly why: string };

/** What to do with a ROUTE-REFRESH of `subtype` (see the header). `borrOpen`: a BoRR of the family is open. */
export function refreshAction(subtype: RouteRefreshSubtypeName, c: RefreshContext, borrOpen: boolean): RefreshAction {
  switch (subtype) {
    case 'request':
      if (c.tableSent === 'none') return { action: 'ignore', why: 'nothing of the initial table was sent yet: it is the refresh' };
      return { action: 'resend', enhanced: c.enhanced }; // 'partial': after the End-of-RIB (RFC 7313 §4)
    case 'borr':
      if (!c.enhanced) return { action: 'ignore', why: 'RFC 7313: BoRR without enhanced route refresh negotiated' };
      if (c.peerGracefulRestart && !c.endOfRibReceived) return { action: 'ignore', why: "RFC 7313 §4: BoRR before the peer's End-of-RIB (graceful restart)" };
      return { action: 'mark-stale' };
    case 'eorr':
      if (!c.enhanced) return { action: 'ignore', why: 'RFC 7313: EoRR without enhanced route refresh negotiated' };
      if (!borrOpen) return { action: 'ignore', why: 'RFC 7313 §4: EoRR without a BoRR before it' };
      return { action: 'sweep-stale' };
  }
}

/** The open BoRRs of every peer and family, each bounded by a timer. */
export class RefreshReceiver {
  readonly #open = new Map<string, Map<number, TimerHandle>>();

  constructor(
    private readonly clock: Clock,
    /** The EoRR did not come within `staleMs` of the BoRR: the stale paths go. */
    private readonly onTimeout: (peer: string, family: number) => void,
    readonly staleMs = 300_000,
  ) {}

  isOpen(peer: string, family: number): boolean {
    return this.#open.get(peer)?.has(family) === true;
  }

  /** A BoRR: the refresh of `family` is open until `end` or the timer. A second BoRR restarts the timer. */
  begin(peer: string, family: number): void {
    let m = this.#open.get(peer);
    if (m === undefined) this.#open.set(peer, (m = new Map()));
    m.get(family)?.cancel();
    m.set(
      family,
      this.clock.setTimer(this.staleMs, () => {
        this.#close(peer, family);
        this.onTimeout(peer, family);
      }),
    );
  }

  /** The EoRR came. */
  end(peer: string, family: number): void {
    this.#open.get(peer)?.get(family)?.cancel();
    this.#close(peer, family);
  }

  /** The session ended or the peer was removed: nothing is open any more. */
  forget(peer: string): void {
    for (const t of this.#open.get(peer)?.values() ?? []) t.cancel();
    this.#open.delete(peer);
  }

  close(): void {
    for (const peer of [...this.#open.keys()]) this.forget(peer);
  }

  #close(peer: string, family: number): void {
    const m = this.#open.get(peer);
    m?.delete(family);
    if (m?.size === 0) this.#open.delete(peer);
  }
}
