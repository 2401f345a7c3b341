/**
 * The route engine: speaker events in, frames out, no sockets (OpenBGPD's RDE split).
 *
 *   update ──► RFC 7606 action ──► RFC 4456 §8 loop check ──► import policy ──► limit
 *          ──► Adj-RIB-In (rejected paths kept, with why) ──► Loc-RIB (decision)
 *          ──► update groups (one encoding per group) ──► pull(peer, maxBytes) ─► frames
 *
 * - Peers are keyed by their normalised address (one session per address; a node's
 *   BIRD and bird6 are two peers). A peer is configured (`configurePeer`) before its
 *   session can come up; the speaker refuses everyone else.
 * - RFC 7606: 'treat-as-withdraw' withdraws every NLRI the UPDATE carries;
 *   'attribute-discard' was already applied by the decoder.
 * - RFC 7911: received path ids key the Adj-RIB-In (BIRD `add paths on`).
 * - Rejected paths stay in the Adj-RIB-In and Loc-RIB with their reason (never
 *   selected): `bgp-rr routes --rejected` shows them, and a policy change can accept
 *   them later without asking the peer again (`setPolicy`: a block moving to another
 *   node moves its route, no session reset).
 * - `--max-prefixes`: past the limit, new prefixes of that peer and family are rejected
 *   ('block', as BIRD's `import limit ... action block`): no session reset.
 * - Graceful restart: helper and restarting-speaker roles in graceful-restart.ts;
 *   `pull` gives nothing until the selection deferral has released the tables.
 */
import {
  AttributeTable,
  AdjRibIn,
  LocRib,
  familyKey,
  formatPrefix,
  prefixKey,
  makePath,
  peerInfo,
  routeAttributes,
  type Clock,
  type DecodedUpdate,
  type Family,
  type LocRibChange,
  type Negotiated,
  type Nlri,
  type Path,
  type PeerInfo,
  type Prefix,
} from '@bgp-rr/bgp-speaker';
import { reflectionLoop, type ReflectorIdentity } from './reflection.js';
import type { ImportPolicy as FullImportPolicy } from './import-policy.js';
import { wouldExceed } from './prefix-limit.js';
import { UpdateGroups } from './update-groups/index.js';
import { deferralComplete, GracefulRestartHelper, SelectionDeferral, type DeferralView } from './graceful-restart.js';

/** What the engine needs of the import policy (policy.ts, issue 5). */
export type ImportPolicy = Pick<FullImportPolicy, 'evaluate'>;

export interface EngineLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface EngineOptions {
  readonly identity: ReflectorIdentity;
  readonly policy: ImportPolicy;
  /** Per peer and family; 0 = no limit. */
  readonly maxPrefixes: number;
  readonly clock: Clock;
  readonly logger: EngineLogger;
  /** RFC 4724 §4.1 selection deferral (ms). */
  readonly selectionDeferralMs: number;
  /** Called after any change that may give some peer frames to pull. */
  readonly onWork?: () => void;
}

/** What the engine knows of one configured peer. */
export interface EnginePeer {
  readonly address: string;
  node: string;
  readonly isClient: boolean;
  readonly localAs: number;
  info: PeerInfo | null;
  adj: AdjRibIn | null;
  negotiated: Negotiated | null;
  readonly eorReceived: Set<number>;
  /**
   * What was logged, to log it once: --route-policy warn's would-be rejection per path
   * ('fk prefixKey pathId'), and 'limit fk' while the family is at --max-prefixes.
   */
  readonly warned: Map<string, string>;
  /** Update groups of the current session (one per negotiated family). */
  groupKeys: string[];
  updatesIn: number;
  withdrawalsIn: number;
}

const LOOP_REASON = 'RFC 4456 §8';
const LIMIT_REASON = 'max-prefixes';

export class RouteEngine {
  readonly attributes = new AttributeTable();
  readonly locRib = new LocRib();
  readonly groups: UpdateGroups;
  readonly helper: GracefulRestartHelper;
  readonly deferral: SelectionDeferral;
  readonly #peers = new Map<string, EnginePeer>();
  /** Peers the selection deferral may still wait for (see #checkDeferral). */
  readonly #deferralWaiting = new Set<string>();
  #policy: ImportPolicy;

  constructor(private readonly o: EngineOptions) {
    this.#policy = o.policy;
    this.groups = new UpdateGroups(o.identity, this.locRib);
    this.helper = new GracefulRestartHelper(o.clock, { sweep: (peer, fk, reason) => this.#sweep(peer, fk, reason) });
    this.deferral = new SelectionDeferral(o.clock, o.selectionDeferralMs);
    this.deferral.onRelease(() => {
      this.#deferralWaiting.clear();
      o.logger.info({ reason: this.deferral.reason }, 'tables released to peers (RFC 4724 §4.1)');
      o.onWork?.();
    });
  }

  peer(address: string): EnginePeer | undefined {
    return this.#peers.get(address);
  }

  peers(): IterableIterator<EnginePeer> {
    return this.#peers.values();
  }

  configurePeer(address: string, node: string, isClient: boolean, localAs: number): void {
    const p = this.#peers.get(address);
    if (p !== undefined && p.isClient === isClient && p.localAs === localAs) {
      if (p.node !== node) {
        p.node = node;
        this.#reevaluate(p);
      }
      return;
    }
    // A changed peer is removed and added again, with no deferral check in between: the
    // deferral must not see it missing and release.
    if (p !== undefined) this.#remove(p);
    this.#peers.set(address, { address, node, isClient, localAs, info: null, adj: null, negotiated: null, eorReceived: new Set(), warned: new Map(), groupKeys: [], updatesIn: 0, withdrawalsIn: 0 });
    this.#waitForPeer(address);
    this.#checkDeferral();
  }

  /** The peer left the configuration: its routes go now. */
  unconfigurePeer(address: string): void {
    const p = this.#peers.get(address);
    if (p === undefined) return;
    this.#remove(p);
    this.#checkDeferral();
  }

  #remove(p: EnginePeer): void {
    this.helper.forget(p.address);
    this.groups.removeMember(p.address);
    this.#clear(p, undefined);
    this.#peers.delete(p.address);
  }

  sessionUp(address: string, n: Negotiated): void {
    const p = this.#peers.get(address);
    if (p === undefined) return;
    p.negotiated = n;
    p.eorReceived.clear();
    for (const k of [...p.warned.keys()]) if (k.startsWith('limit ')) p.warned.delete(k);
    p.info = peerInfo({ id: address, routerId: n.peerId, address, asn: n.peerAs, isClient: p.isClient, isIbgp: n.peerAs === p.localAs });
    p.adj ??= new AdjRibIn(p.info, this.attributes);
    this.helper.sessionEstablished(address, n.peerGracefulRestart);
    p.groupKeys = this.groups.addMember(p.info, n.families, n.codec);
    this.#waitForPeer(address);
    this.#checkDeferral();
    this.o.onWork?.();
  }

  /** The session left Established; `byNotification`: a NOTIFICATION was sent or received. */
  sessionDown(address: string, byNotification: boolean): void {
    const p = this.#peers.get(address);
    if (p === undefined || p.negotiated === null) return;
    this.groups.removeMember(address);
    p.groupKeys = [];
    const retained = this.helper.sessionLost(address, p.negotiated.gracefulRestart ? p.negotiated.peerGracefulRestart : null, byNotification);
    p.negotiated = null;
    p.eorReceived.clear();
    this.#waitForPeer(address);
    if (p.adj === null) return;
    for (const fk of p.adj.families()) {
      if (retained.includes(fk)) {
        const n = p.adj.markStale(fk);
        if (n > 0) this.o.logger.info({ peer: address, node: p.node, family: fk, stale: n }, 'routes kept as stale: graceful restart (RFC 4724 §4.2)');
      } else this.#clear(p, fk);
    }
  }

  update(address: string, d: DecodedUpdate): void {
    const p = this.#peers.get(address);
    if (p === undefined || p.adj === null || p.info === null) return;
    p.updatesIn++;
    const u = d.update;
    const a = u.attributes;
    for (const n of u.withdrawn) this.#withdraw(p, familyKey(1, 1), n);
    if (a.mpUnreach !== undefined && a.mpUnreach.safi === 1) {
      const fk = familyKey(a.mpUnreach.afi, 1);
      for (const n of a.mpUnreach.withdrawn) this.#withdraw(p, fk, n);
    }
    const reach: { fk: number; nlri: readonly Nlri[] }[] = [];
    if (u.nlri.length > 0) reach.push({ fk: familyKey(1, 1), nlri: u.nlri });
    if (a.mpReach !== undefined && a.mpReach.safi === 1 && a.mpReach.nlri.length > 0) reach.push({ fk: familyKey(a.mpReach.afi, 1), nlri: a.mpReach.nlri });
    if (d.errors.length > 0) {
      this.o.logger.warn({ peer: address, node: p.node, action: d.action, errors: d.errors.map((e) => e.message) }, `malformed UPDATE handled per RFC 7606 (${d.action})`);
    }
    if (d.action === 'treat-as-withdraw') {
      for (const r of reach) for (const n of r.nlri) this.#withdraw(p, r.fk, n);
      this.o.onWork?.();
      return;
    }
    if (reach.length > 0) {
      const attrs = this.attributes.intern(routeAttributes(a));
      const loop = reflectionLoop(attrs.attrs, this.o.identity);
      let first = true;
      for (const r of reach) {
        for (const n of r.nlri) {
          if (!first) this.attributes.retain(attrs);
          first = false;
          const reason = loop ?? this.#policyReason(p, r.fk, n.prefix, n.pathId) ?? this.#limitReason(p, r.fk, n);
          this.#store(p, r.fk, makePath(n.prefix, n.pathId, attrs, p.info, reason));
        }
      }
    }
    this.o.onWork?.();
  }

  endOfRib(address: string, family: Family): void {
    const p = this.#peers.get(address);
    if (p === undefined) return;
    const fk = familyKey(family.afi, family.safi);
    p.eorReceived.add(fk);
    this.helper.endOfRib(address, fk);
    this.#checkDeferral();
  }

  /** RFC 2918: the peer asks for our table again; it gets its groups' tables from scratch. */
  routeRefresh(address: string): void {
    const p = this.#peers.get(address);
    if (p === undefined || p.negotiated === null || p.info === null) return;
    this.groups.addMember(p.info, p.negotiated.families, p.negotiated.codec);
    this.o.onWork?.();
  }

  /** A new policy (snapshot changed): every path is judged again; only changed verdicts move. */
  setPolicy(policy: ImportPolicy): void {
    this.#policy = policy;
    for (const p of this.#peers.values()) this.#reevaluate(p);
  }

  /** Frames due to `address`, about maxBytes; nothing before the selection deferral ends. */
  pull(address: string, maxBytes: number): Uint8Array[] {
    if (!this.deferral.released) return [];
    return this.groups.pull(address, maxBytes);
  }

  pending(address: string): number {
    return this.deferral.released ? this.groups.pendingFor(address) : 0;
  }

  close(): void {
    this.helper.close();
    this.deferral.close();
  }

  /** Why import policy rejects `prefix` from this peer, or null; 'warn' mode warnings are logged once per path. */
  #policyReason(p: EnginePeer, fk: number, prefix: Prefix, pathId: number): string | null {
    const v = this.#policy.evaluate(prefix, p.node);
    if (!v.accepted) return v.reason;
    const key = `${fk} ${prefixKey(prefix)} ${pathId}`;
    if (v.warning === undefined) p.warned.delete(key);
    else if (p.warned.get(key) !== v.warning) {
      p.warned.set(key, v.warning);
      this.o.logger.warn({ peer: p.address, node: p.node, prefix: formatPrefix(prefix), pathId, reason: v.warning }, 'route would be rejected (--route-policy warn): accepted');
    }
    return null;
  }

  #limitReason(p: EnginePeer, fk: number, n: Nlri): string | null {
    const max = this.o.maxPrefixes;
    if (p.adj === null || !wouldExceed(p.adj.counts(fk).accepted, max)) return null;
    const old = p.adj.get(fk, n.prefix, n.pathId);
    return old !== undefined && old.rejected === null ? null : `${LIMIT_REASON} ${max} reached`;
  }

  /**
   * Adj-RIB-In then Loc-RIB then groups; logs a rejection once per change of verdict —
   * except the max-prefixes one, logged once per family until the peer is back under
   * its limit (a leak of many prefixes gives one line, not one per prefix).
   */
  #store(p: EnginePeer, fk: number, path: Path): void {
    const old = p.adj!.update(path, fk);
    if (path.rejected?.startsWith(LIMIT_REASON) === true) {
      const limitKey = `limit ${fk}`;
      if (!p.warned.has(limitKey)) {
        p.warned.set(limitKey, path.rejected);
        this.o.logger.warn({ peer: p.address, node: p.node, family: fk, firstPrefix: formatPrefix(path.prefix), reason: path.rejected }, 'prefix limit reached: new prefixes from this peer rejected');
      }
    } else if (path.rejected !== null && old?.rejected !== path.rejected) {
      this.o.logger.warn({ peer: p.address, node: p.node, prefix: formatPrefix(path.prefix), pathId: path.pathId, reason: path.rejected }, 'route rejected');
    } else if (path.rejected === null && old !== undefined && old.rejected !== null) {
      this.o.logger.info({ peer: p.address, node: p.node, prefix: formatPrefix(path.prefix), pathId: path.pathId }, 'route accepted (was rejected)');
    }
    this.#apply(this.locRib.update(path, fk));
  }

  #withdraw(p: EnginePeer, fk: number, n: Nlri): void {
    p.withdrawalsIn++;
    if (p.warned.size > 0) p.warned.delete(`${fk} ${prefixKey(n.prefix)} ${n.pathId}`);
    const old = p.adj?.withdraw(fk, n.prefix, n.pathId);
    if (old !== undefined) this.#apply(this.locRib.withdraw(old, fk));
    if (p.warned.has(`limit ${fk}`) && p.adj !== null && !wouldExceed(p.adj.counts(fk).accepted, this.o.maxPrefixes)) p.warned.delete(`limit ${fk}`);
  }

  #apply(change: LocRibChange | null): void {
    if (change !== null) this.groups.onLocRibChange(change);
  }

  /** Removes the peer's paths (of `fk`, or all). */
  #clear(p: EnginePeer, fk: number | undefined): void {
    if (p.adj === null) return;
    for (const old of p.adj.clear(fk)) this.#apply(this.locRib.withdraw(old, familyKey(old.prefix.afi, 1)));
    this.o.onWork?.();
  }

  #sweep(address: string, fk: number | undefined, reason: string): void {
    const p = this.#peers.get(address);
    if (p?.adj == null) return;
    const gone = p.adj.sweepStale(fk);
    for (const old of gone) this.#apply(this.locRib.withdraw(old, familyKey(old.prefix.afi, 1)));
    this.o.logger.info({ peer: address, node: p.node, family: fk ?? 'all', withdrawn: gone.length, reason }, 'stale routes swept');
    this.o.onWork?.();
  }

  #reevaluate(p: EnginePeer): void {
    const adj = p.adj;
    if (adj === null) return;
    let moved = 0;
    for (const fk of adj.families()) {
      for (const old of [...adj.paths(fk)]) {
        if (old.rejected?.startsWith(LOOP_REASON)) continue;
        let reason = this.#policyReason(p, fk, old.prefix, old.pathId);
        if (reason === null && old.rejected?.startsWith(LIMIT_REASON)) reason = old.rejected;
        if (reason === old.rejected) continue;
        const np = makePath(old.prefix, old.pathId, this.attributes.retain(old.attrs), old.peer, reason);
        np.stale = old.stale;
        this.#store(p, fk, np);
        moved++;
      }
    }
    if (moved > 0) {
      this.o.logger.info({ peer: p.address, node: p.node, paths: moved }, 'import policy re-evaluated: verdicts changed');
      this.o.onWork?.();
    }
  }

  /**
   * RFC 4724 §4.1: defer "until it receives the End-of-RIB marker from all its peers
   * (excluding the ones that do not have the Graceful Restart Capability or the ones that
   * are restarting)": an Established peer without GR, or with the R-bit set (it waits for
   * our End-of-RIB first), counts as complete.
   *
   * Amortised O(1) per event: `#deferralWaiting` holds the peers that may still be
   * incomplete, oldest first; one found complete leaves it, the scan stops at the first
   * still incomplete, and a peer that becomes incomplete again (configured, session up or
   * down) is put back. Only when it is empty are all peers looked at, once. (A view of
   * every peer per event was O(N²) in a reconnect storm: most of the CPU at N = 2000, and
   * a lazy scan from the first peer still 4 s at N = 5000.)
   */
  #checkDeferral(): void {
    if (this.deferral.released) return;
    for (const address of this.#deferralWaiting) {
      const p = this.#peers.get(address);
      if (p !== undefined && !deferralComplete(this.#deferralView(p))) return;
      this.#deferralWaiting.delete(address);
    }
    this.deferral.check(this.#deferralViews());
  }

  #waitForPeer(address: string): void {
    if (!this.deferral.released) this.#deferralWaiting.add(address);
  }

  *#deferralViews(): Generator<DeferralView> {
    for (const p of this.#peers.values()) yield this.#deferralView(p);
  }

  #deferralView(p: EnginePeer): DeferralView {
    const gr = p.negotiated?.gracefulRestart === true ? p.negotiated.peerGracefulRestart : null;
    const waitFor = gr === null || gr.restarting ? [] : (p.negotiated?.families.map((f) => familyKey(f.afi, f.safi)) ?? []);
    return { established: p.negotiated !== null, families: waitFor, eorReceived: p.eorReceived };
  }
}
