/**
 * One update group: peers with the same outbound policy and encoding for one address
 * family (DESIGN.md §4). It holds the group Adj-RIB-Out with its change log, the encoded
 * frames shared by its members, and one cursor per member.
 *
 * How bytes are made and shared:
 * - Block: when a member asks for more and the log has grown, the records changed since
 *   the last block are encoded once into a block (sequence range (from, to]). Every member
 *   whose cursor stands at `from` takes the same bytes (chunks.ts) and moves to `to`.
 * - Base: a member that holds nothing (cursor 0: it just joined) takes the base — the
 *   whole table encoded once and shared by every member that joins before the table has
 *   changed much — then continues with the blocks, and gets End-of-RIB (RFC 4724 §2)
 *   once it has reached the head.
 * - Coalescing (DESIGN.md §4 "Backpressure, then coalescing"): a block remembers how many
 *   of its records were changed again later (dead). A member skips a block that is all
 *   dead, and instead of a block that is more than a quarter dead — or that was dropped —
 *   gets a private encoding of the latest state of each record changed since its cursor:
 *   never a backlog of intermediate states. Blocks are kept only while useful and within
 *   about twice the size of the table.
 * - Route refresh (RFC 2918; route-refresh.ts decides when): the member gets the whole
 *   table again, in its latest state, after what is already queued for it and after its
 *   initial table's End-of-RIB (RFC 7313 §4: no BoRR before it). Plain, it then goes on
 *   from its cursor as before (the withdrawals since are not in the table); enhanced
 *   (RFC 7313 §4), the table comes between a BoRR and an EoRR, after which the peer drops
 *   what the table did not hold, withdrawals included, so the member goes on from the
 *   table's end. No End-of-RIB: that belongs to the start of a session.
 * - Split horizon: frames are packed per source peer, so a member leaves out the frames
 *   carrying its own paths. In a single-path group the member may hold an older best from
 *   another peer for such a prefix: it then gets a withdrawal instead (encoded lazily, for
 *   that member only), and also when we cannot tell because it skipped versions
 *   (`mayHoldOther`; a withdrawal of a route it does not hold is ignored by BGP speakers).
 *   With ADD-PATH its own paths have path ids it never received: nothing to do.
 */
import { encodeRouteRefresh, MessageType, RouteRefreshSubtype, type AttributeTable, type CodecContext, type Family, type Nlri, type PeerId } from '@bgp-rr/bgp-speaker';
import type { PeerClass } from '../reflection.js';
import { AdjRibOut, type OutRecord } from './adj-rib-out.js';
import { allChunks, chunksExcept, type Chunks } from './chunks.js';
import { FrameEncoder, mayHoldOther, type FrameSet } from './frames.js';

export interface Member {
  readonly peer: PeerId;
  /** Sequence number up to which this member has been given frames; 0 = holds nothing. */
  cursor: number;
  /** Chunks handed to this member but not yet pulled. */
  pending: Chunks | null;
  pendingIndex: number;
  endOfRibSent: boolean;
  /** BGP messages handed out so far (for "updates sent" counters). */
  messagesOut: number;
  /** A ROUTE-REFRESH to answer before going on: the whole table again ('enhanced': between BoRR and EoRR). */
  refresh: 'plain' | 'enhanced' | null;
  /** Split horizon: versions up to here may have been skipped or overtaken (see `MemberView`). */
  unknownUpTo: number;
}

interface Block {
  readonly from: number;
  readonly to: number;
  readonly set: FrameSet;
  readonly records: number;
  dead: number;
}

interface Base {
  readonly gen: number;
  readonly to: number;
  readonly set: FrameSet;
  readonly records: number;
  dead: number;
}

/** A block more dirty than 1/DIRTY_SHARE is not shared any more: members behind it coalesce. */
const DIRTY_SHARE = 4;

export class UpdateGroup {
  readonly out: AdjRibOut;
  readonly encoder: FrameEncoder;
  readonly members = new Map<PeerId, Member>();
  #blocks: Block[] = [];
  readonly #blockAt = new Map<number, Block>();
  #blockRecords = 0;
  #sealedTo = 0;
  #base: Base | null = null;
  #baseGen = 0;

  constructor(
    readonly key: string,
    readonly family: Family,
    ctx: CodecContext,
    readonly peerClass: PeerClass,
    attributes: AttributeTable,
  ) {
    this.encoder = new FrameEncoder(family, ctx);
    this.out = new AdjRibOut(attributes, (rec, oldSeq) => this.#superseded(rec, oldSeq));
  }

  get addPath(): boolean {
    return this.encoder.addPath;
  }

  addMember(peer: PeerId): Member {
    const m: Member = { peer, cursor: 0, pending: null, pendingIndex: 0, endOfRibSent: false, messagesOut: 0, refresh: null, unknownUpTo: 0 };
    this.members.set(peer, m);
    return m;
  }

  removeMember(peer: PeerId): void {
    this.members.delete(peer);
  }

  /**
   * Appends chunks for `m` to `out` until about `maxBytes` (at least one chunk when any
   * is due); returns the bytes added. Each chunk is one or more whole BGP messages.
   */
  pull(m: Member, maxBytes: number, out: Uint8Array[]): number {
    let bytes = 0;
    for (;;) {
      const p = m.pending;
      if (p !== null) {
        while (m.pendingIndex < p.chunks.length && bytes < maxBytes) {
          const c = p.chunks[m.pendingIndex]!;
          m.messagesOut += p.messages[m.pendingIndex++]!;
          out.push(c);
          bytes += c.length;
        }
        if (m.pendingIndex < p.chunks.length) return bytes;
        m.pending = null;
      }
      if (bytes >= maxBytes) return bytes;
      if (m.refresh !== null && m.endOfRibSent) {
        // The whole table again (latest state). Plain: then on from the cursor as before —
        // what changed since the cursor (withdrawals included) comes after it, so it still
        // wins. Enhanced: the EoRR makes the peer drop what the table does not hold.
        const enhanced = m.refresh === 'enhanced';
        m.refresh = null;
        this.#seal();
        // Exactly the latest state (a base with superseded versions would undo changes the
        // member already has past its cursor).
        const base = m.cursor === 0 ? null : this.#ensureBase(true);
        if (base !== null) {
          this.#give(m, base.set, false);
          m.unknownUpTo = Math.max(m.unknownUpTo, base.to);
          if (enhanced) m.cursor = base.to;
        }
        if (enhanced) this.#bracket(m);
        continue;
      }
      if (m.cursor >= this.out.head) {
        if (!m.endOfRibSent) {
          const eor = this.encoder.endOfRib();
          out.push(eor);
          bytes += eor.length;
          m.messagesOut++;
          m.endOfRibSent = true;
        }
        return bytes;
      }
      this.#advance(m);
    }
  }

  /** Work left for `m`: chunks not pulled + changes behind the head + End-of-RIB or refresh. 0 = in sync. */
  pendingFor(m: Member): number {
    const chunks = m.pending === null ? 0 : m.pending.chunks.length - m.pendingIndex;
    return chunks + (this.out.head - m.cursor) + (m.endOfRibSent ? 0 : 1) + (m.refresh !== null ? 1 : 0);
  }

  /** Call after changes: collects dead log entries, old tombstones and blocks no one needs. */
  maintain(): void {
    if (!this.out.needsCompaction()) return;
    const min = this.#minNeeded();
    const dropped = this.out.compact(min);
    if (this.#base !== null && dropped > this.#base.to) this.#base = null;
    while (this.#blocks.length > 0 && this.#blocks[0]!.to <= min) this.#dropOldestBlock();
  }

  stats(): { blocks: number; blockBytes: number; baseBytes: number } {
    let blockBytes = 0;
    for (const b of this.#blocks) blockBytes += b.set.bytes;
    return { blocks: this.#blocks.length, blockBytes, baseBytes: this.#base?.set.bytes ?? 0 };
  }

  /** Releases the table's attribute references. */
  dispose(): void {
    this.out.clear();
    this.#blocks = [];
    this.#blockAt.clear();
    this.#base = null;
  }

  /** Moves `m` forward: hands it a base, a block, or a private coalesced encoding. */
  #advance(m: Member): void {
    this.#seal();
    if (m.cursor === 0) {
      const base = this.#ensureBase(false);
      if (base === null) {
        m.cursor = this.#sealedTo; // empty table: nothing to send
        return;
      }
      this.#give(m, base.set, false); // it holds nothing: no split-horizon withdrawals
      m.cursor = base.to;
      return;
    }
    const b = this.#blockAt.get(m.cursor);
    if (b !== undefined && b.dead === b.records) {
      m.cursor = b.to; // every record in it changed again later: skip
      m.unknownUpTo = b.to;
      return;
    }
    if (b !== undefined && b.dead * DIRTY_SHARE <= b.records) {
      this.#give(m, b.set, !this.addPath);
      m.cursor = b.to;
      return;
    }
    const end = this.#nextUsableBoundary(m.cursor);
    const set = this.encoder.encode(this.out.range(m.cursor, end), {
      withdrawals: true,
      exclude: m.peer,
      ...(this.addPath ? {} : { withdrawExcludedFor: { peer: m.peer, cursor: m.cursor, unknownUpTo: m.unknownUpTo } }),
    });
    m.unknownUpTo = end; // superseded versions in (cursor, end] were left out
    m.pending = allChunks(set);
    m.pendingIndex = 0;
    m.cursor = end;
  }

  /** Shares `set` with `m`, minus the frames of its own paths (split horizon). */
  #give(m: Member, set: FrameSet, withdrawOwn: boolean): void {
    m.pendingIndex = 0;
    const mine = set.bySource.get(m.peer);
    if (mine === undefined) {
      m.pending = allChunks(set);
      return;
    }
    const own: Nlri[] = [];
    if (withdrawOwn) {
      for (const i of mine) for (const a of set.announced[i]!) if (mayHoldOther(a, m)) own.push(a.nlri);
    }
    m.pending = chunksExcept(set, mine, this.encoder.withdraw(own));
  }

  /** RFC 7313 §4: a BoRR before the member's pending re-advertisement, an EoRR after it. */
  #bracket(m: Member): void {
    const marker = (subtype: number): Uint8Array => encodeRouteRefresh({ type: MessageType.ROUTE_REFRESH, afi: this.family.afi, subtype, safi: this.family.safi });
    const p = m.pending;
    const chunks = p === null ? [] : p.chunks.slice(m.pendingIndex);
    const messages = p === null ? [] : p.messages.slice(m.pendingIndex);
    m.pending = { chunks: [marker(RouteRefreshSubtype.BORR), ...chunks, marker(RouteRefreshSubtype.EORR)], messages: [1, ...messages, 1] };
    m.pendingIndex = 0;
  }

  /** Encodes the records changed since the last block into a new block. */
  #seal(): void {
    const head = this.out.head;
    if (head === this.#sealedTo) return;
    let records = 0;
    const counted = function* (it: Iterable<OutRecord>): Iterable<OutRecord> {
      for (const r of it) {
        records++;
        yield r;
      }
    };
    const set = this.encoder.encode(counted(this.out.range(this.#sealedTo, head)), { withdrawals: true, keepAnnounced: !this.addPath });
    const b: Block = { from: this.#sealedTo, to: head, set, records, dead: 0 };
    this.#blocks.push(b);
    this.#blockAt.set(b.from, b);
    this.#blockRecords += records;
    this.#sealedTo = head;
    // Keep blocks within about twice the table; members behind the oldest coalesce.
    const limit = 2 * this.out.size + 256;
    while (this.#blocks.length > 1 && this.#blockRecords > limit) this.#dropOldestBlock();
  }

  /**
   * The base for a joining member: reused while mostly clean and not much smaller than the
   * table (what changed since is sent after it). `exact`: only a base of the current state.
   */
  #ensureBase(exact: boolean): Base | null {
    if (this.out.live === 0) return null;
    const b = this.#base;
    if (b !== null && exact && b.dead === 0 && b.to === this.#sealedTo) return b;
    if (b !== null && !exact && b.dead * DIRTY_SHARE <= b.records && this.out.live <= 2 * b.records + 16) return b;
    const gen = ++this.#baseGen;
    const recs: OutRecord[] = [];
    for (const r of this.out.liveRecords()) {
      r.baseGen = gen;
      recs.push(r);
    }
    const set = this.encoder.encode(recs, { withdrawals: false });
    this.#base = { gen, to: this.#sealedTo, set, records: recs.length, dead: 0 };
    return this.#base;
  }

  /** The first block boundary after `cursor` a member can continue from, else the head. */
  #nextUsableBoundary(cursor: number): number {
    for (const b of this.#blocks) {
      if (b.from <= cursor) continue;
      if (b.dead === b.records || b.dead * DIRTY_SHARE <= b.records) return b.from;
    }
    return this.#sealedTo;
  }

  #superseded(rec: OutRecord, oldSeq: number): void {
    if (rec.baseGen >= 0) {
      if (this.#base !== null && rec.baseGen === this.#base.gen) this.#base.dead++;
      rec.baseGen = -1;
    }
    if (oldSeq > this.#sealedTo) return;
    const blocks = this.#blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const b = blocks[mid]!;
      if (oldSeq <= b.from) hi = mid - 1;
      else if (oldSeq > b.to) lo = mid + 1;
      else {
        b.dead++;
        return;
      }
    }
  }

  /** Lowest sequence number a member may still need records after. */
  #minNeeded(): number {
    let min = this.out.head;
    for (const m of this.members.values()) {
      const c = m.cursor > 0 ? m.cursor : this.#base !== null ? this.#base.to : min;
      if (c < min) min = c;
    }
    return min;
  }

  #dropOldestBlock(): void {
    const b = this.#blocks.shift()!;
    this.#blockAt.delete(b.from);
    this.#blockRecords -= b.records;
  }
}
