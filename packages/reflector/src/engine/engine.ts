/**
 * The route engine: the reflector's one core (OpenBGPD's route decision engine is the
 * model). Typed events in (vocabulary.ts EngineInput), and out only: frames to pull for
 * the feeder (FrameSource), commands for the session layer, read-only views, and the
 * change feed. No sockets, no logger; time comes from an injected Clock.
 *
 *   update ──► RFC 7606 action ──► RFC 4456 §8 loop check ──► import policy ──► prefix limit
 *          ──► Adj-RIB-In (rejected paths kept, with why) ──► Loc-RIB (decision process)
 *          ──► update groups (one encoding per group) ──► pull(peer, maxBytes) ──► frames
 *
 * Its private parts, each the one home of its rules: reflection.ts (RFC 4456),
 * import-policy.ts, prefix-limit.ts, graceful-restart.ts (RFC 4724 helper and selection
 * deferral), route-refresh.ts (RFC 2918, RFC 7313), update-groups/ (the outbound side).
 *
 * - Peers are keyed by their normalised address (one session per address; a node's BIRD
 *   and bird6 are two peers). A peer is configured before its session can come up; the
 *   speaker refuses everyone else.
 * - RFC 7911: received path ids key the Adj-RIB-In (BIRD `add paths on`).
 * - Rejected paths stay in the Adj-RIB-In and Loc-RIB with their `Rejection` (never
 *   selected): `bgp-rr routes --rejected` shows them, and a policy change can accept them
 *   later without asking the peer again (a block moving to another node moves its route,
 *   no session reset).
 * - RFC 7606 §2 treat-as-withdraw: the UPDATE's NLRI are "handled as though they were
 *   withdrawn": a path held for one is withdrawn (cause 'treat-as-withdraw'), and the feed
 *   reports each NLRI as rejected (kind 'treat-as-withdraw', not stored).
 * - Re-entrancy: commands (a Cease for a prefix limit...) are handed out when the input
 *   that caused them is done, and `onWork` is called once at the end of it. A feed
 *   subscriber that calls `input` gets an error (observers read, never act). Events are
 *   emitted once the Adj-RIB-In, the Loc-RIB and the groups agree, so a subscriber that
 *   reads the views sees the change done.
 */
import {
  AdjRibIn,
  AttributeTable,
  LocRib,
  familyKey,
  makePath,
  peerInfo,
  routeAttributes,
  sameRejection,
  type AdjRibInCounts,
  type Clock,
  type DecodedUpdate,
  type Family,
  type InternedAttributes,
  type LocRibChange,
  type Negotiated,
  type Nlri,
  type Path,
  type PeerInfo,
  type Rejection,
  type RouteRefreshSubtypeName,
} from '@bgp-rr/bgp-speaker';
import { ChangeFeed, type RouteListener } from './feed.js';
import { GracefulRestartHelper, SelectionDeferral, type DeferralView } from './graceful-restart.js';
import type { ImportPolicy } from './import-policy.js';
import { PrefixLimits, type PrefixLimitSettings } from './prefix-limit.js';
import { reflectionLoop, type ReflectorIdentity } from './reflection.js';
import { RefreshReceiver, refreshAction } from './route-refresh.js';
import { UpdateGroups, type UpdateGroupStats } from './update-groups/index.js';
import type { EngineInput, FrameSource, PeerSettings, Pulled, RouteEvent, SessionCommand, WithdrawCause } from './vocabulary.js';
import type { LocRibSummary, PeerFamilyCounts, PeerView, ReadonlyLocRibEntry } from './views.js';

export interface EngineOptions {
  readonly identity: ReflectorIdentity;
  /** Until the first policyChanged (e.g. before etcd answered). */
  readonly policy: ImportPolicy;
  readonly prefixLimit: PrefixLimitSettings;
  readonly clock: Clock;
  /** RFC 4724 §4.1 selection deferral (ms). */
  readonly selectionDeferralMs: number;
  /** Longest wait for an EoRR after a BoRR (RFC 7313 §4), ms; default 300 s. */
  readonly refreshStaleMs?: number;
  /** Called after an input (or a timer) that may have given some peer frames to pull. */
  readonly onWork?: () => void;
  /** The session layer carries these out (see vocabulary.ts SessionCommand). */
  readonly onCommand?: (c: SessionCommand) => void;
  /** A feed subscriber threw (it is isolated; the engine goes on). */
  readonly onFeedError?: (err: unknown, e: RouteEvent) => void;
}

/** What the engine knows of one configured peer. */
interface PeerState {
  readonly address: string;
  readonly isClient: boolean;
  readonly localAs: number;
  node: string;
  info: PeerInfo | null;
  adj: AdjRibIn | null;
  negotiated: Negotiated | null;
  readonly eorReceived: Set<number>;
  groupKeys: readonly string[];
  updatesIn: number;
  withdrawalsIn: number;
  /** A Cease for its prefix limit was asked: its UPDATEs are ignored until the session is down. */
  ceasing: boolean;
}

const UNICAST_V4 = familyKey(1, 1);
/** What a pull gives when nothing is due (shared: nobody changes a pull's result). */
const NOTHING: Pulled = Object.freeze({ frames: [] as Uint8Array[], messages: 0, bytes: 0 });

/** A configured peer as the selection deferral sees it (RFC 4724 §4.1). */
function deferralView(p: PeerState): DeferralView {
  const gr = p.negotiated?.gracefulRestart === true ? p.negotiated.peerGracefulRestart : null;
  const waitFor = gr === null || gr.restarting ? [] : (p.negotiated?.families.map((f) => familyKey(f.afi, f.safi)) ?? []);
  return { established: p.negotiated !== null, families: waitFor, eorReceived: p.eorReceived };
}

function familyOf(fk: number): Family {
  return { afi: (fk >>> 8) as Family['afi'], safi: fk & 0xff };
}
const EMPTY_COUNTS: AdjRibInCounts = { received: 0, accepted: 0, rejected: 0, stale: 0 };

export class RouteEngine implements FrameSource {
  readonly #attributes = new AttributeTable();
  readonly #locRib = new LocRib();
  readonly #groups: UpdateGroups;
  readonly #helper: GracefulRestartHelper;
  readonly #deferral: SelectionDeferral;
  readonly #limits: PrefixLimits;
  readonly #refresh: RefreshReceiver;
  readonly #feed: ChangeFeed;
  readonly #peers = new Map<string, PeerState>();
  #policy: ImportPolicy;
  #depth = 0;
  #emitting = 0;
  #closed = false;
  #work = false;
  readonly #commands: SessionCommand[] = [];

  constructor(private readonly o: EngineOptions) {
    this.#policy = o.policy;
    this.#feed = new ChangeFeed(o.onFeedError);
    this.#groups = new UpdateGroups(o.identity, this.#locRib);
    this.#helper = new GracefulRestartHelper(o.clock, { sweep: (peer, fk, reason) => this.#run(() => this.#sweep(peer, fk, reason)) });
    this.#deferral = new SelectionDeferral(o.clock, o.selectionDeferralMs);
    this.#deferral.onRelease(() =>
      this.#run(() => {
        this.#emit({ type: 'tablesReleased', reason: this.#deferral.reason });
        this.#work = true;
      }),
    );
    this.#limits = new PrefixLimits(
      o.prefixLimit,
      o.clock,
      (peer) => this.#run(() => this.#command({ type: 'start', peer })),
      (peer, fk) =>
        this.#run(() => {
          // Ask only a peer that can answer (RFC 2918 capability).
          if (this.#peers.get(peer)?.negotiated?.routeRefresh === true) this.#command({ type: 'requestRefresh', peer, family: familyOf(fk) });
        }),
    );
    this.#refresh = new RefreshReceiver(
      o.clock,
      (peer, fk) => this.#run(() => this.#sweep(peer, fk, `RFC 7313 §4: no EoRR within ${(o.refreshStaleMs ?? 300_000) / 1000} s of the BoRR`)),
      o.refreshStaleMs,
    );
  }

  // ─── input ──────────────────────────────────────────────────────────────────────────

  input(e: EngineInput): void {
    if (this.#emitting > 0) throw new Error(`RouteEngine.input(${e.type}) from a change-feed subscriber: observers read, they never call input`);
    if (this.#closed) return;
    this.#run(() => {
      switch (e.type) {
        case 'peerConfigured':
          return this.#configure(e.peer);
        case 'peerRemoved': {
          const p = this.#peers.get(e.peer);
          if (p !== undefined) this.#remove(p);
          return this.#checkDeferral();
        }
        case 'configurationDone':
          return this.#deferral.start();
        case 'policyChanged':
          return this.#setPolicy(e.policy);
        case 'sessionUp':
          return this.#sessionUp(e.peer, e.negotiated);
        case 'sessionDown':
          return this.#sessionDown(e.peer, e.reason, e.graceful);
        case 'update':
          return this.#update(e.peer, e.update);
        case 'endOfRib':
          return this.#endOfRib(e.peer, e.family);
        case 'routeRefresh':
          return this.#routeRefresh(e.peer, e.family, e.subtype);
      }
    });
  }

  /** The change feed (see feed.ts). Returns the function that unsubscribes. */
  subscribe(fn: RouteListener): () => void {
    return this.#feed.subscribe(fn);
  }

  /** Stops every timer; later inputs are ignored. */
  close(): void {
    this.#closed = true;
    this.#helper.close();
    this.#deferral.close();
    this.#limits.close();
    this.#refresh.close();
  }

  // ─── output: frames (FrameSource) ───────────────────────────────────────────────────

  get released(): boolean {
    return this.#deferral.released;
  }

  get memberCount(): number {
    return this.#groups.memberCount;
  }

  takePeersWithWork(): Iterable<string> {
    return this.#groups.takeMembersWithWork();
  }

  /** Frames due to `peer`, about maxBytes; nothing before the selection deferral ends. */
  pull(peer: string, maxBytes: number): Pulled {
    return this.#deferral.released ? this.#groups.pull(peer, maxBytes) : NOTHING;
  }

  pending(peer: string): number {
    return this.#deferral.released ? this.#groups.pendingFor(peer) : 0;
  }

  // ─── output: read-only views ────────────────────────────────────────────────────────

  /** Why the tables were released (RFC 4724 §4.1), '' while held back. */
  get releaseReason(): string {
    return this.#deferral.reason;
  }

  hasPeer(address: string): boolean {
    return this.#peers.has(address);
  }

  nodeOf(address: string): string | undefined {
    return this.#peers.get(address)?.node;
  }

  peerView(address: string): PeerView | undefined {
    const p = this.#peers.get(address);
    if (p === undefined) return undefined;
    const gr = this.#helper.status(address);
    return {
      address,
      node: p.node,
      isClient: p.isClient,
      established: p.negotiated !== null,
      updatesIn: p.updatesIn,
      withdrawalsIn: p.withdrawalsIn,
      updateGroups: p.negotiated !== null ? [...p.groupKeys] : [],
      pendingOut: this.pending(address),
      gracefulRestart: gr === undefined ? null : { phase: gr.phase, families: gr.families, expiresInMs: Math.max(0, gr.deadline - this.o.clock.now()) },
      refreshing: (p.negotiated?.families ?? []).map((f) => familyKey(f.afi, f.safi)).filter((fk) => this.#refresh.isOpen(address, fk)),
      limitBackoffMs: this.#limits.backoffRemaining(address),
    };
  }

  /** One peer's paths of `family` (a familyKey). Zero for an unknown peer. */
  peerCounts(address: string, family: number): PeerFamilyCounts {
    const p = this.#peers.get(address);
    const c = p?.adj?.counts(family) ?? EMPTY_COUNTS;
    const advertised = p?.negotiated ? this.#groups.advertised(address, familyOf(family)) : 0;
    return { received: c.received, accepted: c.accepted, rejected: c.rejected, stale: c.stale, advertised };
  }

  /** The Loc-RIB of `family`: every prefix with its paths (rejected ones last) and best. */
  routes(family: number): IterableIterator<ReadonlyLocRibEntry> {
    return this.#locRib.entries(family);
  }

  locRibSummary(): LocRibSummary {
    const prefixes = new Map<number, number>();
    let paths = 0;
    let rejected = 0;
    for (const fk of this.#locRib.families()) {
      let n = 0;
      for (const e of this.#locRib.entries(fk)) {
        if (e.best !== undefined) n++;
        paths += e.paths.length;
        for (const p of e.paths) if (p.rejected !== null) rejected++;
      }
      prefixes.set(fk, n);
    }
    return { prefixes, paths, rejected, updateGroups: this.#groups.groupCount };
  }

  updateGroupStats(): readonly UpdateGroupStats[] {
    return this.#groups.stats();
  }

  /** How big the tables are: interned attribute sets as received and as sent, Loc-RIB prefixes. */
  tableSizes(): { readonly attributeSets: number; readonly exportedAttributeSets: number; readonly prefixes: number } {
    let prefixes = 0;
    for (const fk of this.#locRib.families()) prefixes += this.#locRib.size(fk);
    return { attributeSets: this.#attributes.size, exportedAttributeSets: this.#groups.attributes.size, prefixes };
  }

  // ─── peers and sessions ─────────────────────────────────────────────────────────────

  #configure(s: PeerSettings): void {
    const p = this.#peers.get(s.address);
    if (p !== undefined && p.isClient === s.isClient && p.localAs === s.localAs) {
      if (p.node !== s.node) {
        p.node = s.node;
        this.#reevaluate(p);
      }
      return;
    }
    // A changed peer is removed and added again, with no deferral check in between: the
    // deferral must not see it missing and release.
    if (p !== undefined) this.#remove(p);
    this.#peers.set(s.address, { address: s.address, node: s.node, isClient: s.isClient, localAs: s.localAs, info: null, adj: null, negotiated: null, eorReceived: new Set(), groupKeys: [], updatesIn: 0, withdrawalsIn: 0, ceasing: false });
    this.#deferral.waitFor(s.address);
    this.#checkDeferral();
  }

  #remove(p: PeerState): void {
    if (p.negotiated !== null) this.#emit({ type: 'peerDown', peer: p.address, node: p.node, reason: 'peer removed from the configuration', retained: [], stale: 0 });
    this.#helper.forget(p.address);
    this.#refresh.forget(p.address);
    this.#limits.forget(p.address);
    this.#groups.removeMember(p.address);
    this.#clear(p, undefined, 'peer-removed');
    this.#peers.delete(p.address);
  }

  #sessionUp(address: string, n: Negotiated): void {
    const p = this.#peers.get(address);
    if (p === undefined) return;
    p.negotiated = n;
    p.eorReceived.clear();
    p.ceasing = false;
    p.info = peerInfo({ id: address, routerId: n.peerId, address, asn: n.peerAs, isClient: p.isClient, isIbgp: n.peerAs === p.localAs });
    p.adj ??= new AdjRibIn(p.info, this.#attributes);
    this.#limits.sessionUp(address);
    this.#emit({ type: 'peerUp', peer: address, node: p.node, negotiated: n });
    this.#helper.sessionEstablished(address, n.peerGracefulRestart);
    p.groupKeys = this.#groups.addMember(p.info, n.families, n.codec);
    this.#deferral.waitFor(address);
    this.#checkDeferral();
    this.#work = true;
  }

  #sessionDown(address: string, reason: string, graceful: boolean): void {
    const p = this.#peers.get(address);
    if (p === undefined || p.negotiated === null) return;
    this.#groups.removeMember(address);
    p.groupKeys = [];
    this.#refresh.forget(address);
    const retained = this.#helper.sessionLost(address, p.negotiated.gracefulRestart ? p.negotiated.peerGracefulRestart : null, !graceful);
    p.negotiated = null;
    p.eorReceived.clear();
    p.ceasing = false;
    this.#deferral.waitFor(address);
    let stale = 0;
    for (const fk of p.adj?.families() ?? []) {
      if (!retained.includes(fk)) {
        this.#clear(p, fk, 'session-down');
        continue;
      }
      const n = p.adj!.markStale(fk);
      stale += n;
      if (n > 0) this.#emit({ type: 'staleMarked', peer: address, node: p.node, family: fk, count: n, cause: 'graceful-restart' });
    }
    this.#emit({ type: 'peerDown', peer: address, node: p.node, reason, retained, stale });
  }

  #endOfRib(address: string, family: Family): void {
    const p = this.#peers.get(address);
    if (p === undefined) return;
    const fk = familyKey(family.afi, family.safi);
    p.eorReceived.add(fk);
    this.#helper.endOfRib(address, fk);
    this.#checkDeferral();
  }

  #routeRefresh(address: string, family: Family, subtype: RouteRefreshSubtypeName): void {
    const p = this.#peers.get(address);
    const n = p?.negotiated;
    if (p === undefined || n == null) return;
    const fk = familyKey(family.afi, family.safi);
    const a = refreshAction(
      subtype,
      {
        enhanced: n.enhancedRouteRefresh,
        tableSent: this.#groups.tableSent(address, family),
        peerGracefulRestart: n.peerGracefulRestart !== null,
        endOfRibReceived: p.eorReceived.has(fk),
      },
      this.#refresh.isOpen(address, fk),
    );
    this.#emit({ type: 'routeRefresh', peer: address, node: p.node, family: fk, subtype, enhanced: n.enhancedRouteRefresh, ...(a.action === 'ignore' ? { ignored: a.why } : {}) });
    switch (a.action) {
      case 'resend':
        this.#groups.refresh(address, family, a.enhanced);
        this.#work = true;
        return;
      case 'mark-stale': {
        this.#refresh.begin(address, fk);
        const count = p.adj?.markStale(fk) ?? 0;
        this.#emit({ type: 'staleMarked', peer: address, node: p.node, family: fk, count, cause: 'route-refresh' });
        return;
      }
      case 'sweep-stale':
        this.#refresh.end(address, fk);
        return this.#sweep(address, fk, 'RFC 7313 §4: EoRR received');
      case 'ignore':
        return;
    }
  }

  // ─── UPDATE ─────────────────────────────────────────────────────────────────────────

  #update(address: string, d: DecodedUpdate): void {
    const p = this.#peers.get(address);
    if (p === undefined || p.adj === null || p.info === null || p.negotiated === null || p.ceasing) return;
    p.updatesIn++;
    const u = d.update;
    const a = u.attributes;
    if (d.errors.length > 0) this.#emit({ type: 'updateErrors', peer: address, node: p.node, action: d.action, errors: d.errors.map((e) => e.message) });
    for (const n of u.withdrawn) this.#withdraw(p, UNICAST_V4, n, 'withdrawn');
    if (a.mpUnreach !== undefined && a.mpUnreach.safi === 1) {
      const fk = familyKey(a.mpUnreach.afi, 1);
      for (const n of a.mpUnreach.withdrawn) this.#withdraw(p, fk, n, 'withdrawn');
    }
    const reach: { fk: number; nlri: readonly Nlri[] }[] = [];
    if (u.nlri.length > 0) reach.push({ fk: UNICAST_V4, nlri: u.nlri });
    if (a.mpReach !== undefined && a.mpReach.safi === 1 && a.mpReach.nlri.length > 0) reach.push({ fk: familyKey(a.mpReach.afi, 1), nlri: a.mpReach.nlri });
    this.#work = true;
    if (reach.length === 0) return;
    const attrs = this.#attributes.intern(routeAttributes(a)); // one reference for this UPDATE, given back below
    try {
      if (d.action === 'treat-as-withdraw') {
        // RFC 7606 §2: "handled as though they were in the withdrawn routes field".
        const why: Rejection = { kind: 'treat-as-withdraw', text: `RFC 7606: ${d.errors.map((e) => e.message).join('; ')}` };
        for (const r of reach) {
          for (const n of r.nlri) {
            this.#withdraw(p, r.fk, n, 'treat-as-withdraw');
            this.#dropped(p, r.fk, n, attrs, why);
          }
        }
        return;
      }
      const loop = reflectionLoop(attrs.attrs, this.o.identity);
      for (const r of reach) for (const n of r.nlri) if (!this.#announce(p, r.fk, n, attrs, loop)) return;
    } finally {
      this.#attributes.release(attrs);
    }
  }

  /** One announced path: limited, judged, stored. False: stop reading this UPDATE (the session is being closed). */
  #announce(p: PeerState, fk: number, n: Nlri, attrs: InternedAttributes, loop: Rejection | null): boolean {
    const adj = p.adj!;
    const old = adj.get(fk, n.prefix, n.pathId);
    if (old === undefined) {
      // Only a new path can take the peer over its limit (counted without stale paths).
      const c = adj.counts(fk);
      const a = this.#limits.admit(p.address, fk, c.received - c.stale);
      const limit = this.#limits.settings.max;
      if (a.verdict === 'cease') {
        p.ceasing = true;
        this.#emit({ type: 'limitExceeded', peer: p.address, node: p.node, family: fk, limit, action: 'cease', prefix: n.prefix, reconnectInMs: a.restartInMs, attempt: a.attempt });
        this.#command({ type: 'cease', peer: p.address, subcode: a.subcode, data: a.data, reason: `prefix limit ${limit} exceeded` });
        return false;
      }
      if (a.verdict !== 'store' && a.first) this.#emit({ type: 'limitExceeded', peer: p.address, node: p.node, family: fk, limit, action: a.verdict, prefix: n.prefix });
      if (a.verdict === 'block') {
        this.#dropped(p, fk, n, attrs, { kind: 'limit', text: `prefix limit ${limit} reached: dropped` });
        return true;
      }
    }
    const rejection = loop ?? this.#judge(p, fk, n.prefix, n.pathId);
    this.#store(p, fk, makePath(n.prefix, n.pathId, this.#attributes.retain(attrs), p.info!, rejection), old);
    return true;
  }

  /** A path not stored (treat-as-withdraw, a prefix limit): only the feed hears of it. */
  #dropped(p: PeerState, fk: number, n: Nlri, attrs: InternedAttributes, rejection: Rejection): void {
    if (!this.#feed.active) return;
    const path = makePath(n.prefix, n.pathId, attrs, p.info!, rejection);
    this.#emit({ type: 'pathRejected', peer: p.address, node: p.node, family: fk, path, rejection, replaced: undefined, stored: false });
  }

  /** Import policy's verdict on a path from `p`; warn mode's would-be rejection goes to the feed. */
  #judge(p: PeerState, fk: number, prefix: Path['prefix'], pathId: number): Rejection | null {
    const v = this.#policy.evaluate(prefix, p.node);
    if (!v.accepted) return { kind: 'policy', text: v.reason };
    if (v.warning !== undefined) this.#emit({ type: 'policyWarning', peer: p.address, node: p.node, family: fk, prefix, pathId, warning: v.warning });
    return null;
  }

  /** Adj-RIB-In, then Loc-RIB and groups, then the feed; `old`: the path it replaces, if any. */
  #store(p: PeerState, fk: number, path: Path, old: Path | undefined): void {
    const replaced = p.adj!.update(path, fk) ?? old;
    const change = this.#apply(this.#locRib.update(path, fk, replaced ?? null));
    if (path.rejected === null) this.#emit({ type: 'pathAccepted', peer: p.address, node: p.node, family: fk, path, replaced });
    else this.#emit({ type: 'pathRejected', peer: p.address, node: p.node, family: fk, path, rejection: path.rejected, replaced, stored: true });
    this.#emitBest(change);
  }

  #withdraw(p: PeerState, fk: number, n: Nlri, cause: WithdrawCause): void {
    if (cause === 'withdrawn') p.withdrawalsIn++;
    const old = p.adj!.withdraw(fk, n.prefix, n.pathId);
    if (old === undefined) return;
    this.#gone(p, old, cause);
    this.#limitAfterRemoval(p, fk);
  }

  /** Applies a Loc-RIB change to the update groups; returns it (for the feed, after). */
  #apply(change: LocRibChange | null): LocRibChange | null {
    if (change === null) return null;
    this.#groups.onLocRibChange(change);
    this.#work = true;
    return change;
  }

  #emitBest(change: LocRibChange | null): void {
    if (change !== null && change.oldBest !== change.newBest) this.#emit({ type: 'bestChanged', family: change.family, prefix: change.prefix, oldBest: change.oldBest, newBest: change.newBest });
  }

  /** Removes the peer's paths (of `fk`, or all). */
  #clear(p: PeerState, fk: number | undefined, cause: WithdrawCause): void {
    if (p.adj === null) return;
    const families = fk === undefined ? p.adj.families() : [fk];
    for (const old of p.adj.clear(fk)) this.#gone(p, old, cause);
    for (const f of families) this.#limitAfterRemoval(p, f);
  }

  #sweep(address: string, fk: number | undefined, reason: string): void {
    const p = this.#peers.get(address);
    if (p?.adj == null) return;
    const families = fk === undefined ? p.adj.families() : [fk];
    const gone = p.adj.sweepStale(fk);
    for (const old of gone) this.#gone(p, old, 'stale');
    this.#emit({ type: 'staleSwept', peer: address, node: p.node, family: fk, count: gone.length, reason });
    for (const f of families) this.#limitAfterRemoval(p, f);
  }

  /** A path left the Adj-RIB-In: the Loc-RIB and groups, then the feed. */
  #gone(p: PeerState, old: Path, cause: WithdrawCause): void {
    const fk = familyKey(old.prefix.afi, 1);
    const change = this.#apply(this.#locRib.withdraw(old, fk));
    this.#emit({ type: 'pathWithdrawn', peer: p.address, node: p.node, family: fk, path: old, cause });
    this.#emitBest(change);
  }

  /** Paths of `fk` left: the peer may be back under its prefix limit. */
  #limitAfterRemoval(p: PeerState, fk: number): void {
    const c = p.adj?.counts(fk);
    if (c === undefined || !this.#limits.afterRemoval(p.address, fk, c.received - c.stale)) return;
    this.#emit({ type: 'limitCleared', peer: p.address, node: p.node, family: fk, limit: this.#limits.settings.max });
  }

  // ─── import policy ──────────────────────────────────────────────────────────────────

  /** A new policy (the datastore changed): every path is judged again; only changed verdicts move. */
  #setPolicy(policy: ImportPolicy): void {
    this.#policy = policy;
    let changed = 0;
    for (const p of this.#peers.values()) changed += this.#reevaluate(p);
    this.#emit({ type: 'policyApplied', changed });
  }

  /** Policy again over the peer's paths (loops and malformed UPDATEs do not depend on it). */
  #reevaluate(p: PeerState): number {
    const adj = p.adj;
    if (adj === null) return 0;
    let moved = 0;
    for (const fk of adj.families()) {
      for (const old of [...adj.paths(fk)]) {
        if (old.rejected !== null && old.rejected.kind !== 'policy') continue;
        const rejection = this.#judge(p, fk, old.prefix, old.pathId);
        if (sameRejection(rejection, old.rejected)) continue;
        const np = makePath(old.prefix, old.pathId, this.#attributes.retain(old.attrs), old.peer, rejection);
        np.stale = old.stale;
        this.#store(p, fk, np, old);
        moved++;
      }
    }
    return moved;
  }

  // ─── RFC 4724 §4.1 selection deferral (graceful-restart.ts) ─────────────────────────

  /**
   * RFC 4724 §4.1: defer "until it receives the End-of-RIB marker from all its peers
   * (excluding the ones that do not have the Graceful Restart Capability or the ones that
   * are restarting)": an Established peer without GR, or with the R-bit set (it waits for
   * our End-of-RIB first), counts as complete.
   */
  #checkDeferral(): void {
    this.#deferral.check(
      (address) => {
        const p = this.#peers.get(address);
        return p === undefined ? undefined : deferralView(p);
      },
      () => this.#deferralViews(),
    );
  }

  *#deferralViews(): Generator<DeferralView> {
    for (const p of this.#peers.values()) yield deferralView(p);
  }

  // ─── plumbing ───────────────────────────────────────────────────────────────────────

  /** Runs `fn` as one input: commands and onWork go out when the outermost run ends. */
  #run(fn: () => void): void {
    this.#depth++;
    try {
      fn();
    } finally {
      if (--this.#depth === 0) this.#flush();
    }
  }

  #flush(): void {
    while (this.#commands.length > 0) this.o.onCommand?.(this.#commands.shift()!);
    if (this.#work) {
      this.#work = false;
      this.o.onWork?.();
    }
  }

  #command(c: SessionCommand): void {
    this.#commands.push(c);
  }

  #emit(e: RouteEvent): void {
    if (!this.#feed.active) return;
    this.#emitting++;
    try {
      this.#feed.emit(e);
    } finally {
      this.#emitting--;
    }
  }
}
