/**
 * The routing core of one replica, as one object the daemon feeds with session events:
 *
 *   UPDATE from a peer ─► RFC 4456 §8 loop check, import policy ─► Adj-RIB-In ─► Loc-RIB
 *                                                              (decision process)
 *                                                                   │ change
 *                                          update groups ◄──────────┘
 *   socket drains ─► groups.pull(peer, maxBytes) ─► frames to write
 *
 * Pure: no sockets, timers or logger; the caller owns the timers (RFC 4724 restart and
 * stale timers) and calls `staleTimerExpired`.
 *
 * Routes failing the loop check or import policy are not dropped but kept as rejected
 * (with the reason): they never become best nor are advertised — the RFC's "ignore" —
 * yet they still replace the path they update (an UPDATE is an implicit withdraw of
 * the previous route for that prefix, RFC 4271 §9) and show in counters and `routes`.
 */
import {
  AdjRibIn,
  AttributeTable,
  familyKey,
  LocRib,
  makePath,
  type CodecContext,
  type Family,
  type LocRibChange,
  type Nlri,
  type Path,
  type PathAttributes,
  type PeerId,
  type PeerInfo,
  type Prefix,
} from '@bgp-rr/bgp-speaker';
import { reflectionLoop, type ReflectorIdentity } from '../reflection.js';
import { UpdateGroups } from '../update-groups/update-groups.js';

/** Import policy: why `prefix` from `peer` must not be used, or null to accept it. */
export type ImportPolicy = (peer: PeerInfo, prefix: Prefix, attrs: Readonly<PathAttributes>) => string | null;

export interface RibStateOptions {
  readonly identity: ReflectorIdentity;
  readonly importPolicy?: ImportPolicy;
  /** Told of every Loc-RIB change after the groups have it (metrics, logs). */
  readonly onChange?: (change: LocRibChange) => void;
}

export class RibState {
  /** Interned attributes as received. */
  readonly attributes = new AttributeTable();
  readonly locRib = new LocRib();
  readonly groups: UpdateGroups;
  readonly #adjRibIn = new Map<PeerId, AdjRibIn>();
  /** The current session's view of each peer (a restarted peer may come back changed). */
  readonly #peers = new Map<PeerId, PeerInfo>();

  constructor(readonly options: RibStateOptions) {
    this.groups = new UpdateGroups(options.identity, this.locRib);
  }

  adjRibIn(peer: PeerId): AdjRibIn | undefined {
    return this.#adjRibIn.get(peer);
  }

  /**
   * A session reached Established: the peer joins its update groups (it will receive the
   * table, then End-of-RIB per family). Paths kept stale from its previous session stay
   * until `endOfRib` or `staleTimerExpired` (RFC 4724 §4.2).
   */
  peerUp(peer: PeerInfo, families: readonly Family[], ctx: CodecContext): void {
    this.#peers.set(peer.id, peer);
    if (!this.#adjRibIn.has(peer.id)) this.#adjRibIn.set(peer.id, new AdjRibIn(peer, this.attributes));
    this.groups.addMember(peer, families, ctx);
  }

  /**
   * The session ended. RFC 4724 §4.2: for the families the peer's Graceful Restart
   * capability listed (`true`: all of them) its paths stay, marked stale, until
   * `endOfRib` or `staleTimerExpired`; the paths of the other families are withdrawn now.
   */
  peerDown(peer: PeerId, gracefulRestart: boolean | readonly Family[]): void {
    this.groups.removeMember(peer);
    const rib = this.#adjRibIn.get(peer);
    if (rib === undefined) return;
    if (gracefulRestart === true) {
      rib.markStale();
      return;
    }
    const kept = new Set((gracefulRestart === false ? [] : gracefulRestart).map((f) => familyKey(f.afi, f.safi)));
    for (const fk of rib.families()) {
      if (kept.has(fk)) rib.markStale(fk);
      else this.#remove(rib.clear(fk));
    }
    if (kept.size > 0) return;
    this.#adjRibIn.delete(peer);
    this.#peers.delete(peer);
  }

  /** The peer was deconfigured: everything it sent goes, now. */
  forgetPeer(peer: PeerId): void {
    this.peerDown(peer, false);
  }

  /** Routes announced in one UPDATE (`attrs` as decoded, shared by every NLRI). */
  announce(peer: PeerId, family: number, nlri: readonly Nlri[], attrs: PathAttributes): void {
    const rib = this.#adjRibIn.get(peer);
    const info = this.#peers.get(peer);
    if (rib === undefined || info === undefined || nlri.length === 0) return;
    const interned = this.attributes.intern(attrs);
    const loop = reflectionLoop(interned.attrs, this.options.identity);
    for (const n of nlri) {
      const rejected = loop ?? this.options.importPolicy?.(info, n.prefix, interned.attrs) ?? null;
      const path = makePath(n.prefix, n.pathId, this.attributes.retain(interned), info, rejected);
      const replaced = rib.update(path, family);
      this.#publish(this.locRib.update(path, family, replaced ?? null));
    }
    this.attributes.release(interned);
  }

  /** Routes withdrawn in one UPDATE (or treated as withdrawn, RFC 7606). */
  withdraw(peer: PeerId, family: number, nlri: readonly Nlri[]): void {
    const rib = this.#adjRibIn.get(peer);
    if (rib === undefined) return;
    for (const n of nlri) {
      const old = rib.withdraw(family, n.prefix, n.pathId);
      if (old !== undefined) this.#publish(this.locRib.withdraw(old, family));
    }
  }

  /** RFC 4724 §4.2: End-of-RIB from a restarted peer: its paths not refreshed go. */
  endOfRib(peer: PeerId, family: Family): void {
    const rib = this.#adjRibIn.get(peer);
    if (rib !== undefined) this.#remove(rib.sweepStale(familyKey(family.afi, family.safi)));
  }

  /**
   * RFC 4724 §4.2: the restart (or stale) timer fired, or the peer came back without the
   * capability (or without forwarding state) for a family: its stale paths (of `family`,
   * or all) go.
   */
  staleTimerExpired(peer: PeerId, family?: Family): void {
    const rib = this.#adjRibIn.get(peer);
    if (rib !== undefined) this.#remove(rib.sweepStale(family === undefined ? undefined : familyKey(family.afi, family.safi)));
  }

  /**
   * Runs the loop check and import policy again over every path held (after the policy's
   * inputs changed, e.g. a block's IPAM affinity moved). Returns how many paths changed
   * between accepted and rejected (or changed reason).
   */
  reapplyImportPolicy(): number {
    let changed = 0;
    for (const [id, rib] of this.#adjRibIn) {
      const info = this.#peers.get(id) ?? rib.peer;
      for (const family of rib.families()) {
        for (const old of [...rib.paths(family)]) {
          const rejected = reflectionLoop(old.attrs.attrs, this.options.identity) ?? this.options.importPolicy?.(info, old.prefix, old.attrs.attrs) ?? null;
          if (rejected === old.rejected) continue;
          const path = makePath(old.prefix, old.pathId, this.attributes.retain(old.attrs), old.peer, rejected);
          path.stale = old.stale;
          rib.update(path, family);
          this.#publish(this.locRib.update(path, family, old));
          changed++;
        }
      }
    }
    return changed;
  }

  #remove(removed: readonly Path[]): void {
    for (const p of removed) this.#publish(this.locRib.withdraw(p, familyKey(p.prefix.afi, 1)));
  }

  #publish(change: LocRibChange | null): void {
    if (change === null) return;
    this.groups.onLocRibChange(change);
    this.options.onChange?.(change);
  }
}
