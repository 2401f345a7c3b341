/**
 * A group's Adj-RIB-Out (RFC 4271 §3.2: what its members should hold) and its change log
 * (DESIGN.md §4 "No per-peer copy of the table").
 *
 * - A record is one route the members should hold: (prefix, path id) -> interned,
 *   already-transformed attributes and the peer the path came from (for split horizon);
 *   or a tombstone (attributes null) until every member has seen the withdrawal.
 * - Every change gives the record the next sequence number and appends it to the log.
 *   The log keeps a record only at its latest sequence number (older entries are dead and
 *   are compacted away), so a member that is behind visits each changed prefix once, in
 *   its latest state: coalescing for free, and memory bounded by the table, not by churn.
 * - Without ADD-PATH a prefix has one record (path id 0). With ADD-PATH (RFC 7911) each
 *   Loc-RIB path has its own record, with a path id assigned here, stable for as long as
 *   the path (or its tombstone) exists.
 */
import type { AttributeTable, InternedAttributes, Nlri, PeerId, Prefix, PrefixKey } from '@bgp-rr/bgp-speaker';

export interface OutRecord {
  readonly key: PrefixKey;
  /** The prefix with our path id (0 without ADD-PATH): what goes on the wire. */
  readonly nlri: Nlri;
  /** ADD-PATH: which Loc-RIB path this record carries (peer id + received path id). */
  readonly sourcePath: string;
  /** Transformed attributes (one reference held here), or null for a tombstone. */
  attrs: InternedAttributes | null;
  /** Peer the path came from: never sent back to it (RFC 4456 §6 / split horizon). */
  source: PeerId | null;
  /** Sequence number of the latest change; -1 once removed from the table. */
  seq: number;
  /**
   * The version before the latest: its sequence number (0: none) and source (null when it
   * was a withdrawal). Split horizon uses it to tell whether a member holds an older path.
   */
  prevSeq: number;
  prevSource: PeerId | null;
  /** Generation of the initial-table block (base) holding this record, or -1. */
  baseGen: number;
}

export class AdjRibOut {
  /** Sequence number of the latest change (0: nothing yet). */
  head = 0;
  /** Records with attributes (not tombstones). */
  live = 0;
  readonly #byPrefix = new Map<PrefixKey, OutRecord[]>();
  readonly #bySource = new Map<PeerId, number>();
  #logSeq: number[] = [];
  #logRec: OutRecord[] = [];
  #records = 0;

  constructor(
    readonly attributes: AttributeTable,
    /** Told when a record moves from `oldSeq` to a newer one (the old log entry is dead). */
    private readonly superseded: (rec: OutRecord, oldSeq: number) => void,
  ) {}

  /** Records held (live and tombstones). */
  get size(): number {
    return this.#records;
  }
  get logLength(): number {
    return this.#logSeq.length;
  }

  /** Live records whose path came from `peer`. */
  liveFrom(peer: PeerId): number {
    return this.#bySource.get(peer) ?? 0;
  }

  records(key: PrefixKey): readonly OutRecord[] {
    return this.#byPrefix.get(key) ?? [];
  }

  /** The record for (prefix, sourcePath), created as an empty tombstone when `create`. */
  find(prefix: Prefix, key: PrefixKey, sourcePath: string, create: boolean): OutRecord | undefined {
    let list = this.#byPrefix.get(key);
    if (list !== undefined) for (const r of list) if (r.sourcePath === sourcePath) return r;
    if (!create) return undefined;
    if (list === undefined) {
      list = [];
      this.#byPrefix.set(key, list);
    }
    // RFC 7911 §3: the path identifier only has to be unique per prefix in this session
    // direction. One above the highest in use (ids of removed tombstones can come back).
    let id = 0;
    if (sourcePath !== '') for (const r of list) id = Math.max(id, r.nlri.pathId);
    const rec: OutRecord = { key, nlri: { prefix, pathId: sourcePath === '' ? 0 : id + 1 }, sourcePath, attrs: null, source: null, seq: 0, prevSeq: 0, prevSource: null, baseGen: -1 };
    list.push(rec);
    this.#records++;
    return rec;
  }

  /**
   * Gives `rec` new contents (attributes retained here, or null to withdraw). Returns false
   * when nothing changed.
   */
  set(rec: OutRecord, attrs: InternedAttributes | null, source: PeerId | null): boolean {
    if (rec.attrs === attrs && (attrs === null || rec.source === source)) return false;
    if (attrs !== null) this.attributes.retain(attrs);
    if (rec.attrs !== null) {
      this.attributes.release(rec.attrs);
      this.live--;
      this.#count(rec.source, -1);
    }
    if (attrs !== null) {
      this.live++;
      this.#count(source, 1);
    }
    const old = rec.seq;
    rec.prevSeq = old;
    rec.prevSource = rec.attrs === null ? null : rec.source;
    rec.attrs = attrs;
    rec.source = attrs === null ? rec.source : source;
    rec.seq = ++this.head;
    if (old > 0) this.superseded(rec, old);
    this.#logSeq.push(rec.seq);
    this.#logRec.push(rec);
    return true;
  }

  /** Live records and tombstones whose latest change is in (from, to], in log order. */
  *range(from: number, to: number): IterableIterator<OutRecord> {
    const seqs = this.#logSeq;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[mid]! <= from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < seqs.length && seqs[i]! <= to; i++) {
      const r = this.#logRec[i]!;
      if (r.seq === seqs[i]) yield r;
    }
  }

  /** Every live record (the whole table), any order. */
  *liveRecords(): IterableIterator<OutRecord> {
    for (const list of this.#byPrefix.values()) for (const r of list) if (r.attrs !== null) yield r;
  }

  /** True when dead log entries and old tombstones are worth collecting. */
  needsCompaction(): boolean {
    return this.#logSeq.length > 2 * this.#records + 64;
  }

  /**
   * Forgets tombstones every member has passed (`seq <= minCursor`) and drops dead log
   * entries. Returns the highest sequence number of a forgotten tombstone (0 if none).
   */
  compact(minCursor: number): number {
    let dropped = 0;
    for (const [key, list] of this.#byPrefix) {
      const keep = list.filter((r) => r.attrs !== null || r.seq > minCursor);
      if (keep.length === list.length) continue;
      for (const r of list) {
        if (r.attrs === null && r.seq <= minCursor) {
          dropped = Math.max(dropped, r.seq);
          r.seq = -1;
          this.#records--;
        }
      }
      if (keep.length === 0) this.#byPrefix.delete(key);
      else this.#byPrefix.set(key, keep);
    }
    const seqs: number[] = [];
    const recs: OutRecord[] = [];
    for (let i = 0; i < this.#logSeq.length; i++) {
      const r = this.#logRec[i]!;
      if (r.seq === this.#logSeq[i]) {
        seqs.push(r.seq);
        recs.push(r);
      }
    }
    this.#logSeq = seqs;
    this.#logRec = recs;
    return dropped;
  }

  /** Releases every attribute reference (the group is going away). */
  clear(): void {
    for (const list of this.#byPrefix.values()) for (const r of list) if (r.attrs !== null) this.attributes.release(r.attrs);
    this.#byPrefix.clear();
    this.#bySource.clear();
    this.#logSeq = [];
    this.#logRec = [];
    this.#records = 0;
    this.live = 0;
  }

  #count(source: PeerId | null, d: 1 | -1): void {
    if (source === null) return;
    const n = (this.#bySource.get(source) ?? 0) + d;
    if (n === 0) this.#bySource.delete(source);
    else this.#bySource.set(source, n);
  }
}
