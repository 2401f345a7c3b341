/**
 * Turning Adj-RIB-Out records into UPDATE messages for one group (DESIGN.md §4 "One
 * encoding, many sockets"): the records that share one interned attribute set and one
 * source peer are packed into as few UPDATEs as the negotiated size allows (the codec's
 * `packUpdates`); withdrawals are packed together (`packWithdrawals`).
 *
 * A `FrameSet` remembers, for each announcing frame, the peer its paths came from, so a
 * member can leave out the frames that carry its own routes (split horizon) and still
 * share every other frame's bytes with the rest of the group.
 */
import {
  Afi,
  encodeAttributes,
  encodeEndOfRib,
  familyKey,
  maxMessageLength,
  packUpdates,
  packWithdrawals,
  type CodecContext,
  type Family,
  type InternedAttributes,
  type Nlri,
  type PeerId,
} from '@bgp-rr/bgp-speaker';
import type { OutRecord } from './adj-rib-out.js';

/** What split horizon needs to know of one announced record, as it was when encoded. */
export interface Announced {
  readonly nlri: Nlri;
  readonly prevSeq: number;
  readonly prevSource: PeerId | null;
}

export interface FrameSet {
  readonly frames: Uint8Array[];
  /** Per frame: the peer whose paths it announces, or null for withdrawals. */
  readonly sources: (PeerId | null)[];
  /** Per frame: the records it announces (kept only when a split-horizon withdrawal may be needed). */
  readonly announced: (readonly Announced[] | null)[];
  /** Source peer -> indexes (ascending) of the frames announcing its paths. */
  readonly bySource: Map<PeerId, number[]>;
  bytes: number;
}

export function emptyFrameSet(): FrameSet {
  return { frames: [], sources: [], announced: [], bySource: new Map(), bytes: 0 };
}

export interface EncodeOptions {
  /** Send withdrawals for tombstones (false for a member that holds nothing yet). */
  readonly withdrawals: boolean;
  /** Leave out the paths of this peer (split horizon)... */
  readonly exclude?: PeerId;
  /**
   * ...and, in single-path groups, withdraw those prefixes when the member (in this state)
   * may hold an older path from another peer for them (see `mayHoldOther`).
   */
  readonly withdrawExcludedFor?: MemberView;
  /** Keep each announcing frame's records in the result (for later split horizon). */
  readonly keepAnnounced?: boolean;
}

export class FrameEncoder {
  readonly addPath: boolean;
  readonly maxLength: number;
  /** Key of this context's attribute encoding in `InternedAttributes.encoded`. */
  readonly #attrKey: number;
  #endOfRib: Uint8Array | undefined;

  constructor(
    readonly family: Family,
    readonly ctx: CodecContext,
  ) {
    this.addPath = ctx.addPathSend.has(familyKey(family.afi, family.safi));
    this.maxLength = maxMessageLength(ctx);
    // Only the AS number size changes how attributes are written (RFC 6793).
    this.#attrKey = ctx.fourOctetAs ? 1 : 0;
  }

  /** The attribute bytes, encoded once per context and kept with the interned set. */
  attributeBytes(a: InternedAttributes): Uint8Array {
    let b = a.encoded.get(this.#attrKey);
    if (b === undefined) {
      b = encodeAttributes(a.attrs, this.ctx);
      a.encoded.set(this.#attrKey, b);
    }
    return b;
  }

  announce(a: InternedAttributes, nlri: readonly Nlri[]): Uint8Array[] {
    const opts = { maxLength: this.maxLength, ...(this.family.afi === Afi.IPV4 ? {} : { nextHop: ipv6NextHop(a) }) };
    return packUpdates(this.family, this.attributeBytes(a), nlri, this.ctx, opts);
  }

  withdraw(nlri: readonly Nlri[]): Uint8Array[] {
    return nlri.length === 0 ? [] : packWithdrawals(this.family, nlri, this.ctx, this.maxLength);
  }

  /** RFC 4724 §2 End-of-RIB, one shared copy per group. */
  endOfRib(): Uint8Array {
    return (this.#endOfRib ??= encodeEndOfRib(this.family));
  }

  /** Encodes `records` (each at most once) into frames. */
  encode(records: Iterable<OutRecord>, o: EncodeOptions): FrameSet {
    const out = emptyFrameSet();
    const withdrawn: Nlri[] = [];
    const groups = new Map<InternedAttributes, Map<PeerId | null, OutRecord[]>>();
    for (const r of records) {
      if (r.attrs === null) {
        if (o.withdrawals) withdrawn.push(r.nlri);
        continue;
      }
      if (o.exclude !== undefined && r.source === o.exclude) {
        const m = o.withdrawExcludedFor;
        if (m !== undefined && mayHoldOther(r, m)) withdrawn.push(r.nlri);
        continue;
      }
      let bySource = groups.get(r.attrs);
      if (bySource === undefined) {
        bySource = new Map();
        groups.set(r.attrs, bySource);
      }
      const list = bySource.get(r.source);
      if (list === undefined) bySource.set(r.source, [r]);
      else list.push(r);
    }
    for (const f of this.withdraw(withdrawn)) push(out, f, null, null);
    for (const [attrs, bySource] of groups) {
      for (const [source, recs] of bySource) {
        const frames = this.announce(attrs, recs.map((r) => r.nlri));
        // Split horizon needs the records once: the whole run on its first frame.
        const snap = o.keepAnnounced ? recs.map((r) => ({ nlri: r.nlri, prevSeq: r.prevSeq, prevSource: r.prevSource })) : null;
        for (let i = 0; i < frames.length; i++) push(out, frames[i]!, source, snap === null ? null : i === 0 ? snap : []);
      }
    }
    return out;
  }
}

/** What split horizon needs to know of a member. */
export interface MemberView {
  readonly peer: PeerId;
  /** Every version at or below it has been given to the member (or skipped, see next). */
  readonly cursor: number;
  /**
   * Versions at or below this may have been skipped (coalesced, or a block of superseded
   * versions jumped over) or overtaken (a ROUTE-REFRESH resent newer ones): for them we
   * do not know which one the member holds.
   */
  readonly unknownUpTo: number;
}

/**
 * Split horizon in a single-path group: `m` is about to be spared version `v` of a record
 * because it carries m's own path. Does it hold an older path from another peer for that
 * prefix, which must then be withdrawn?
 * - The previous version is past m's cursor: m never got it; it holds something older
 *   we cannot name: withdraw.
 * - The previous version is where m may have skipped versions: withdraw.
 * - Otherwise m holds exactly the previous version: withdraw if it was another peer's path.
 * A needless withdrawal is harmless (BGP speakers ignore the withdrawal of a route they do
 * not hold); a missing one would leave a stale route behind.
 */
export function mayHoldOther(v: { prevSeq: number; prevSource: PeerId | null }, m: MemberView): boolean {
  if (v.prevSeq === 0) return false; // the record's first version: nothing came before
  if (v.prevSeq > m.cursor || v.prevSeq <= m.unknownUpTo) return true;
  return v.prevSource !== null && v.prevSource !== m.peer;
}

function push(s: FrameSet, f: Uint8Array, source: PeerId | null, announced: readonly Announced[] | null): void {
  if (source !== null) {
    const idx = s.bySource.get(source);
    if (idx === undefined) s.bySource.set(source, [s.frames.length]);
    else idx.push(s.frames.length);
  }
  s.frames.push(f);
  s.sources.push(source);
  s.announced.push(announced);
  s.bytes += f.length;
}

function ipv6NextHop(a: InternedAttributes): Uint8Array {
  const nh = a.attrs.mpReach?.nextHop;
  if (nh === undefined) throw new Error(`attribute set ${a.id} has no MP_REACH_NLRI next hop for a non-IPv4 route`);
  return nh;
}
