/**
 * The path attribute table: one row per attribute (as BIRD's bgp_attr_table), giving its
 * type code, the Optional/Transitive flags it must carry (RFC 4271 §5), the RFC 7606 §7
 * approach when it is malformed, how to decode its value and how to encode it.
 *
 * A row's `decode` stores the value into the attribute record and returns 0, or returns
 * the UPDATE error subcode (RFC 4271 §6.3) describing why the value is malformed; the
 * caller (update.ts) turns that into a WireError with the attribute as data and the row's
 * severity. Adding an attribute is adding a row.
 */
import { decodeAsPath, asPathLength, needsAs4Path, withoutConfedSegments, writeAsPath } from './as-path.js';
import { read16, read32, write16, write32 } from './bytes.js';
import { Severity, UpdateSubcode } from './errors.js';
import { decodeMpReach, decodeMpUnreach, mpReachLength, mpUnreachLength, writeMpReach, writeMpUnreach } from './mp.js';
import { AS_TRANS, AttrCode, AttrFlag, type CodecContext, type PathAttributes } from './types.js';

export interface AttributeRow {
  readonly code: number;
  readonly name: string;
  /** Expected Optional|Transitive bits (RFC 4271 §5). */
  readonly flags: number;
  /** RFC 7606 §7 approach for a malformed instance (flags, length or value). */
  readonly malformed: Severity;
  decode(b: Uint8Array, start: number, end: number, out: PathAttributes, ctx: CodecContext): number;
  /** Value length to encode, or -1 when the attribute is absent (or not sent on this session). */
  length(a: PathAttributes, ctx: CodecContext): number;
  /** Writes the value at `b[off..]`, returns the offset after it. */
  write(b: Uint8Array, off: number, a: PathAttributes, ctx: CodecContext): number;
}

const WELL_KNOWN = AttrFlag.TRANSITIVE;
const OPT_TRANS = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
const OPT_NON_TRANS = AttrFlag.OPTIONAL;
const LEN_ERR = UpdateSubcode.ATTRIBUTE_LENGTH_ERROR;

/** A 4-octet value attribute (MED, LOCAL_PREF, ORIGINATOR_ID). */
function u32Row(
  code: number,
  name: string,
  flags: number,
  get: (a: PathAttributes) => number | undefined,
  set: (a: PathAttributes, v: number) => void,
): AttributeRow {
  return {
    code,
    name,
    flags,
    malformed: Severity.TREAT_AS_WITHDRAW, // RFC 7606 §7.4, §7.5, §7.9
    decode(b, s, e, out) {
      if (e - s !== 4) return LEN_ERR;
      set(out, read32(b, s));
      return 0;
    },
    length: (a) => (get(a) === undefined ? -1 : 4),
    write(b, off, a) {
      write32(b, off, get(a)!);
      return off + 4;
    },
  };
}

/** A list of uint32 (COMMUNITIES, CLUSTER_LIST): RFC 7606 §7.8, §7.10 — non-empty, multiple of 4. */
function u32ListRow(
  code: number,
  name: string,
  flags: number,
  get: (a: PathAttributes) => readonly number[] | undefined,
  set: (a: PathAttributes, v: number[]) => void,
): AttributeRow {
  return {
    code,
    name,
    flags,
    malformed: Severity.TREAT_AS_WITHDRAW,
    decode(b, s, e, out) {
      if (e === s || (e - s) % 4 !== 0) return LEN_ERR;
      const v: number[] = [];
      for (let p = s; p < e; p += 4) v.push(read32(b, p));
      set(out, v);
      return 0;
    },
    length(a) {
      const v = get(a);
      return v === undefined || v.length === 0 ? -1 : v.length * 4;
    },
    write(b, off, a) {
      const v = get(a)!;
      for (let i = 0; i < v.length; i++, off += 4) write32(b, off, v[i]!);
      return off;
    },
  };
}

function decodeAggregator(b: Uint8Array, s: number, e: number, asSize: 2 | 4): { asn: number; address: number } | null {
  if (e - s !== asSize + 4) return null;
  return asSize === 4 ? { asn: read32(b, s), address: read32(b, s + 4) } : { asn: read16(b, s), address: read32(b, s + 2) };
}

/** Attributes that may have at most one instance and are ignored when repeated (RFC 7606 §3 (g)). */
export const ATTRIBUTE_TABLE: readonly AttributeRow[] = [
  {
    code: AttrCode.MP_REACH_NLRI,
    name: 'MP_REACH_NLRI',
    flags: OPT_NON_TRANS,
    malformed: Severity.SESSION_RESET, // RFC 7606 §5.3, §7.11
    decode: (b, s, e, out, ctx) => decodeMpReach(b, s, e, out, ctx),
    length: (a, ctx) => (a.mpReach ? mpReachLength(a.mpReach, ctx) : -1),
    write: (b, off, a, ctx) => writeMpReach(b, off, a.mpReach!, ctx),
  },
  {
    code: AttrCode.MP_UNREACH_NLRI,
    name: 'MP_UNREACH_NLRI',
    flags: OPT_NON_TRANS,
    malformed: Severity.SESSION_RESET,
    decode: (b, s, e, out, ctx) => decodeMpUnreach(b, s, e, out, ctx),
    length: (a, ctx) => (a.mpUnreach ? mpUnreachLength(a.mpUnreach, ctx) : -1),
    write: (b, off, a, ctx) => writeMpUnreach(b, off, a.mpUnreach!, ctx),
  },
  {
    code: AttrCode.ORIGIN,
    name: 'ORIGIN',
    flags: WELL_KNOWN,
    malformed: Severity.TREAT_AS_WITHDRAW, // RFC 7606 §7.1
    decode(b, s, e, out) {
      if (e - s !== 1) return LEN_ERR;
      const v = b[s]!;
      if (v > 2) return UpdateSubcode.INVALID_ORIGIN_ATTRIBUTE; // RFC 4271 §6.3
      out.origin = v as 0 | 1 | 2;
      return 0;
    },
    length: (a) => (a.origin === undefined ? -1 : 1),
    write(b, off, a) {
      b[off] = a.origin!;
      return off + 1;
    },
  },
  {
    code: AttrCode.AS_PATH,
    name: 'AS_PATH',
    flags: WELL_KNOWN,
    malformed: Severity.TREAT_AS_WITHDRAW, // RFC 7606 §7.2
    decode(b, s, e, out, ctx) {
      const path = decodeAsPath(b, s, e, ctx.fourOctetAs ? 4 : 2);
      if (path === null) return UpdateSubcode.MALFORMED_AS_PATH;
      out.asPath = path;
      return 0;
    },
    length: (a, ctx) => (a.asPath === undefined ? -1 : asPathLength(a.asPath, ctx.fourOctetAs ? 4 : 2)),
    write: (b, off, a, ctx) => writeAsPath(b, off, a.asPath!, ctx.fourOctetAs ? 4 : 2),
  },
  {
    code: AttrCode.NEXT_HOP,
    name: 'NEXT_HOP',
    flags: WELL_KNOWN,
    malformed: Severity.TREAT_AS_WITHDRAW, // RFC 7606 §7.3
    decode(b, s, e, out) {
      if (e - s !== 4) return LEN_ERR;
      const nh = read32(b, s);
      // RFC 4271 §6.3 syntactic check: not 0.0.0.0, not multicast/class E/broadcast.
      if (nh === 0 || nh >>> 28 >= 0xe) return UpdateSubcode.INVALID_NEXT_HOP_ATTRIBUTE;
      out.nextHop = nh;
      return 0;
    },
    length: (a) => (a.nextHop === undefined ? -1 : 4),
    write(b, off, a) {
      write32(b, off, a.nextHop!);
      return off + 4;
    },
  },
  u32Row(AttrCode.MULTI_EXIT_DISC, 'MULTI_EXIT_DISC', OPT_NON_TRANS, (a) => a.med, (a, v) => (a.med = v)),
  u32Row(AttrCode.LOCAL_PREF, 'LOCAL_PREF', WELL_KNOWN, (a) => a.localPref, (a, v) => (a.localPref = v)),
  {
    code: AttrCode.ATOMIC_AGGREGATE,
    name: 'ATOMIC_AGGREGATE',
    flags: WELL_KNOWN,
    malformed: Severity.ATTRIBUTE_DISCARD, // RFC 7606 §7.6
    decode(_b, s, e, out) {
      if (e !== s) return LEN_ERR;
      out.atomicAggregate = true;
      return 0;
    },
    length: (a) => (a.atomicAggregate ? 0 : -1),
    write: (_b, off) => off,
  },
  {
    code: AttrCode.AGGREGATOR,
    name: 'AGGREGATOR',
    flags: OPT_TRANS,
    malformed: Severity.ATTRIBUTE_DISCARD, // RFC 7606 §7.7
    decode(b, s, e, out, ctx) {
      const v = decodeAggregator(b, s, e, ctx.fourOctetAs ? 4 : 2);
      if (v === null) return LEN_ERR;
      out.aggregator = v;
      return 0;
    },
    length: (a, ctx) => (a.aggregator === undefined ? -1 : ctx.fourOctetAs ? 8 : 6),
    write(b, off, a, ctx) {
      const g = a.aggregator!;
      if (ctx.fourOctetAs) {
        write32(b, off, g.asn);
        off += 4;
      } else {
        write16(b, off, g.asn > 0xffff ? AS_TRANS : g.asn); // RFC 6793 §4.2.2
        off += 2;
      }
      write32(b, off, g.address);
      return off + 4;
    },
  },
  u32ListRow(AttrCode.COMMUNITIES, 'COMMUNITIES', OPT_TRANS, (a) => a.communities, (a, v) => (a.communities = v)),
  u32Row(AttrCode.ORIGINATOR_ID, 'ORIGINATOR_ID', OPT_NON_TRANS, (a) => a.originatorId, (a, v) => (a.originatorId = v)),
  u32ListRow(AttrCode.CLUSTER_LIST, 'CLUSTER_LIST', OPT_NON_TRANS, (a) => a.clusterList, (a, v) => (a.clusterList = v)),
  {
    code: AttrCode.EXTENDED_COMMUNITIES,
    name: 'EXTENDED_COMMUNITIES',
    flags: OPT_TRANS,
    malformed: Severity.TREAT_AS_WITHDRAW, // RFC 7606 §7.14
    decode(b, s, e, out) {
      if (e === s || (e - s) % 8 !== 0) return LEN_ERR;
      const v: Uint8Array[] = [];
      for (let p = s; p < e; p += 8) v.push(b.slice(p, p + 8));
      out.extCommunities = v;
      return 0;
    },
    length: (a) => (a.extCommunities === undefined || a.extCommunities.length === 0 ? -1 : a.extCommunities.length * 8),
    write(b, off, a) {
      for (const c of a.extCommunities!) {
        if (c.length !== 8) throw new RangeError('extended community must be 8 bytes');
        b.set(c, off);
        off += 8;
      }
      return off;
    },
  },
  {
    code: AttrCode.AS4_PATH,
    name: 'AS4_PATH',
    flags: OPT_TRANS,
    malformed: Severity.ATTRIBUTE_DISCARD, // RFC 6793 §6, RFC 7606 §7.15
    decode(b, s, e, out, ctx) {
      if (ctx.fourOctetAs) return 0; // RFC 6793 §4.1: ignored between NEW speakers
      const path = decodeAsPath(b, s, e, 4);
      if (path === null) return UpdateSubcode.MALFORMED_AS_PATH;
      out.as4Path = path;
      return 0;
    },
    length(a, ctx) {
      if (ctx.fourOctetAs || a.asPath === undefined || !needsAs4Path(a.asPath)) return -1;
      return asPathLength(withoutConfedSegments(a.asPath), 4);
    },
    write: (b, off, a) => writeAsPath(b, off, withoutConfedSegments(a.asPath!), 4),
  },
  {
    code: AttrCode.AS4_AGGREGATOR,
    name: 'AS4_AGGREGATOR',
    flags: OPT_TRANS,
    malformed: Severity.ATTRIBUTE_DISCARD, // RFC 6793 §6, RFC 7606 §7.15
    decode(b, s, e, out, ctx) {
      if (ctx.fourOctetAs) return 0;
      const v = decodeAggregator(b, s, e, 4);
      if (v === null) return LEN_ERR;
      out.as4Aggregator = v;
      return 0;
    },
    length: (a, ctx) => (ctx.fourOctetAs || a.aggregator === undefined || a.aggregator.asn <= 0xffff ? -1 : 8),
    write(b, off, a) {
      write32(b, off, a.aggregator!.asn);
      write32(b, off + 4, a.aggregator!.address);
      return off + 8;
    },
  },
  {
    code: AttrCode.LARGE_COMMUNITY,
    name: 'LARGE_COMMUNITY',
    flags: OPT_TRANS,
    malformed: Severity.TREAT_AS_WITHDRAW, // RFC 8092 §5
    decode(b, s, e, out) {
      if (e === s || (e - s) % 12 !== 0) return LEN_ERR;
      const v: [number, number, number][] = [];
      for (let p = s; p < e; p += 12) v.push([read32(b, p), read32(b, p + 4), read32(b, p + 8)]);
      out.largeCommunities = v;
      return 0;
    },
    length: (a) => (a.largeCommunities === undefined || a.largeCommunities.length === 0 ? -1 : a.largeCommunities.length * 12),
    write(b, off, a) {
      for (const [g, l1, l2] of a.largeCommunities!) {
        write32(b, off, g);
        write32(b, off + 4, l1);
        write32(b, off + 8, l2);
        off += 12;
      }
      return off;
    },
  },
];

/** Row by type code (undefined for attributes we do not know). */
export const ATTRIBUTE_BY_CODE: readonly (AttributeRow | undefined)[] = (() => {
  const t: (AttributeRow | undefined)[] = new Array<AttributeRow | undefined>(256).fill(undefined);
  for (const r of ATTRIBUTE_TABLE) t[r.code] = r;
  return t;
})();
