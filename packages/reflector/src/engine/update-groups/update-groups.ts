/**
 * The update groups of a reflector (DESIGN.md §4): the daemon's whole outbound side.
 *
 *   Loc-RIB change ──onLocRibChange──► every group of that family: RFC 4456 §6 rules,
 *                                      transformed attributes (interned once per path),
 *                                      group Adj-RIB-Out record + change log
 *   socket can take more ──pull(peer, maxBytes)──► shared frames from the member's cursor
 *   ROUTE-REFRESH ──refresh(peer, family, enhanced)──► the family's table again (RFC 2918, 7313)
 *
 * A group is keyed by what changes the bytes or the routes sent: address family, ADD-PATH
 * send for it (RFC 7911), 4-octet AS (RFC 6793), extended messages (RFC 8654) and the
 * member's class (client / non-client, RFC 4456 §6). A peer with two families is a member
 * of two groups (one per family), so an IPv4-only peer and a dual-stack peer still share
 * the IPv4 bytes. Groups are created on first member (filled from the Loc-RIB) and
 * dropped with their last member.
 *
 * Pure: no sockets or timers. The session layer calls `pull` while the socket drains and
 * writes the returned frames in one write; `pendingFor` says whether there is more.
 */
import {
  AttributeTable,
  familyKey,
  type CodecContext,
  type Family,
  type InternedAttributes,
  type LocRib,
  type LocRibChange,
  type Path,
  type PeerId,
  type PeerInfo,
} from '@bgp-rr/bgp-speaker';
import { exportAttributes, mayAdvertise, peerClass, type PeerClass, type ReflectorIdentity } from '../reflection.js';
import { UpdateGroup, type Member } from './group.js';
import type { Pulled } from '../vocabulary.js';

export function groupKey(family: Family, ctx: CodecContext, cls: PeerClass): string {
  const fk = familyKey(family.afi, family.safi);
  return `afi=${family.afi} safi=${family.safi} ${cls} addpath=${ctx.addPathSend.has(fk) ? 1 : 0} as4=${ctx.fourOctetAs ? 1 : 0} ext=${ctx.extendedMessage ? 1 : 0}`;
}

export interface UpdateGroupStats {
  readonly key: string;
  readonly members: number;
  /** Records in the group Adj-RIB-Out (paths it advertises). */
  readonly paths: number;
  readonly logLength: number;
  readonly blocks: number;
  readonly blockBytes: number;
  readonly baseBytes: number;
}

interface Membership {
  readonly peer: PeerInfo;
  readonly groups: { group: UpdateGroup; member: Member }[];
  /** Round-robin start for `pull`. */
  next: number;
}

/** A pull with nothing due (shared: nobody changes a pull's result). */
const NOTHING: Pulled = Object.freeze({ frames: [] as Uint8Array[], messages: 0, bytes: 0 });

/** Identity of a Loc-RIB path inside its prefix (ADD-PATH records). */
function sourcePath(p: Path): string {
  return `${p.peer.id} ${p.pathId}`;
}

export class UpdateGroups {
  /** Interned outbound (transformed) attribute sets. */
  readonly attributes: AttributeTable;
  readonly #groups = new Map<string, UpdateGroup>();
  readonly #members = new Map<PeerId, Membership>();
  /** Path -> its transformed attributes, computed once per path for every group. */
  readonly #exported = new WeakMap<Path, InternedAttributes>();
  /** References taken while applying one change, given back at its end. */
  readonly #temp: InternedAttributes[] = [];
  /** Peers that may have something to pull since the last `takeMembersWithWork`. */
  readonly #withWork = new Set<PeerId>();
  /** Groups changed since the last `takeMembersWithWork`. */
  readonly #changed = new Set<UpdateGroup>();

  constructor(
    readonly identity: ReflectorIdentity,
    readonly locRib: LocRib,
    attributes: AttributeTable = new AttributeTable(),
  ) {
    this.attributes = attributes;
  }

  /**
   * Makes `peer` a member, for each of `families`, of the group matching `ctx`, starting
   * from nothing: it will get the whole table then End-of-RIB per family. Returns the
   * group keys. A peer already a member is first removed (a new session).
   */
  addMember(peer: PeerInfo, families: readonly Family[], ctx: CodecContext): string[] {
    this.removeMember(peer.id);
    const ms: Membership = { peer, groups: [], next: 0 };
    const cls = peerClass(peer);
    for (const f of families) {
      const key = groupKey(f, ctx, cls);
      let g = this.#groups.get(key);
      if (g === undefined) {
        g = new UpdateGroup(key, f, ctx, cls, this.attributes);
        this.#groups.set(key, g);
        this.#seed(g);
      }
      ms.groups.push({ group: g, member: g.addMember(peer.id) });
    }
    this.#members.set(peer.id, ms);
    this.#withWork.add(peer.id); // at least End-of-RIB is due
    return ms.groups.map((x) => x.group.key);
  }

  removeMember(peer: PeerId): void {
    const ms = this.#members.get(peer);
    if (ms === undefined) return;
    this.#members.delete(peer);
    this.#withWork.delete(peer);
    for (const { group } of ms.groups) {
      group.removeMember(peer);
      if (group.members.size === 0) {
        group.dispose();
        this.#groups.delete(group.key);
        this.#changed.delete(group);
      }
    }
  }

  /** Applies one Loc-RIB change to every group of its family. */
  onLocRibChange(change: LocRibChange): void {
    for (const g of this.#groups.values()) {
      if (familyKey(g.family.afi, g.family.safi) !== change.family) continue;
      const head = g.out.head;
      if (g.addPath) this.#applyPath(g, change.path, change.eligible);
      else this.#applyBest(g, change.prefix, change.key, change.newBest);
      if (g.out.head !== head) this.#changed.add(g);
      g.maintain();
    }
    this.#releaseTemp();
  }

  /**
   * Bytes for `peer`'s socket: chunks of whole BGP messages, about `maxBytes` in all (at
   * least one chunk when anything is due); no frames when in sync. Chunks are shared with
   * the other members of the group: write them, never modify them.
   */
  pull(peer: PeerId, maxBytes: number): Pulled {
    const ms = this.#members.get(peer);
    if (ms === undefined || ms.groups.length === 0) return NOTHING;
    const frames: Uint8Array[] = [];
    let bytes = 0;
    let messages = 0;
    const n = ms.groups.length;
    for (let i = 0; i < n && bytes < maxBytes; i++) {
      const { group, member } = ms.groups[(ms.next + i) % n]!;
      const before = member.messagesOut;
      bytes += group.pull(member, maxBytes - bytes, frames);
      messages += member.messagesOut - before;
    }
    ms.next = (ms.next + 1) % n;
    return frames.length === 0 ? NOTHING : { frames, messages, bytes };
  }

  /**
   * The peers that may have something to pull since the last call (members of groups
   * that changed, and new members), so the session layer can schedule writes after a
   * batch of UPDATEs without visiting every peer.
   */
  takeMembersWithWork(): PeerId[] {
    for (const g of this.#changed) for (const id of g.members.keys()) this.#withWork.add(id);
    this.#changed.clear();
    const out = [...this.#withWork];
    this.#withWork.clear();
    return out;
  }

  /**
   * ROUTE-REFRESH (RFC 2918): send `peer` its whole Adj-RIB-Out for `family` again, after
   * what is already queued and after its initial table's End-of-RIB; `enhanced` (RFC 7313):
   * between a BoRR and an EoRR. No End-of-RIB, which belongs to the start of the session.
   * Returns false when the peer has no group of that family.
   */
  refresh(peer: PeerId, family: Family, enhanced: boolean): boolean {
    const g = this.#membership(peer, family);
    if (g === undefined) return false;
    g.member.refresh = enhanced ? 'enhanced' : 'plain';
    this.#withWork.add(peer);
    return true;
  }

  /** How much of its initial table of `family` `peer` was handed: none, part, or all with End-of-RIB (RFC 4724 §2). */
  tableSent(peer: PeerId, family: Family): 'none' | 'partial' | 'complete' {
    const m = this.#membership(peer, family)?.member;
    if (m === undefined || (m.cursor === 0 && m.pending === null && !m.endOfRibSent)) return 'none';
    return m.endOfRibSent ? 'complete' : 'partial';
  }

  /** Update groups there are. */
  get groupCount(): number {
    return this.#groups.size;
  }

  #membership(peer: PeerId, family: Family): { group: UpdateGroup; member: Member } | undefined {
    return this.#members.get(peer)?.groups.find(({ group }) => group.family.afi === family.afi && group.family.safi === family.safi);
  }

  /** Peers that are members of at least one group. */
  get memberCount(): number {
    return this.#members.size;
  }

  /** Work left for `peer` (0 = in sync, nothing to pull). */
  pendingFor(peer: PeerId): number {
    let n = 0;
    for (const { group, member } of this.#members.get(peer)?.groups ?? []) n += group.pendingFor(member);
    return n;
  }

  /**
   * Paths the member should hold from us (its group's Adj-RIB-Out minus its own paths):
   * prefixes without ADD-PATH. What it holds once `pendingFor` is 0.
   */
  advertised(peer: PeerId, family?: Family): number {
    let n = 0;
    for (const { group } of this.#members.get(peer)?.groups ?? []) {
      if (family !== undefined && (family.afi !== group.family.afi || family.safi !== group.family.safi)) continue;
      n += group.out.live - group.out.liveFrom(peer);
    }
    return n;
  }

  stats(): UpdateGroupStats[] {
    return [...this.#groups.values()].map((g) => ({
      key: g.key,
      members: g.members.size,
      paths: g.out.live,
      logLength: g.out.logLength,
      ...g.stats(),
    }));
  }

  /** ADD-PATH group: one record per Loc-RIB path. */
  #applyPath(g: UpdateGroup, p: Path, present: boolean): void {
    const send = present && mayAdvertise(peerClass(p.peer), g.peerClass);
    const rec = g.out.find(p.prefix, p.key, sourcePath(p), send);
    if (rec !== undefined) g.out.set(rec, send ? this.#export(p) : null, send ? p.peer.id : null);
  }

  /** Single-path group: the best path, when the RFC 4456 §6 rules let it go to this class. */
  #applyBest(g: UpdateGroup, prefix: Path['prefix'], key: Path['key'], best: Path | undefined): void {
    const send = best !== undefined && mayAdvertise(peerClass(best.peer), g.peerClass);
    const rec = g.out.find(prefix, key, '', send);
    if (rec !== undefined) g.out.set(rec, send ? this.#export(best) : null, send ? best.peer.id : null);
  }

  /** A new group starts with the Loc-RIB as it is. */
  #seed(g: UpdateGroup): void {
    for (const e of this.locRib.entries(familyKey(g.family.afi, g.family.safi))) {
      if (g.addPath) {
        for (const p of e.paths) if (p.rejected === null) this.#applyPath(g, p, true);
      } else {
        this.#applyBest(g, e.prefix, e.key, e.best);
      }
    }
    this.#releaseTemp();
    g.maintain();
  }

  /** The transformed attributes of `p`, interned; computed once per path. */
  #export(p: Path): InternedAttributes {
    const cached = this.#exported.get(p);
    if (cached !== undefined && cached.refs > 0) return cached;
    const a = this.attributes.intern(exportAttributes(p, this.identity));
    this.#temp.push(a); // held until the records that use it have retained it
    this.#exported.set(p, a);
    return a;
  }

  #releaseTemp(): void {
    for (const a of this.#temp) this.attributes.release(a);
    this.#temp.length = 0;
  }
}
