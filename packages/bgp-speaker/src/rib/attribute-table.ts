/**
 * Interned path attributes (DESIGN.md §4 "Interned attributes").
 *
 * Contents:
 * - `InternedAttributes`: one frozen attribute set, its stable hash and a reference count.
 * - `routeAttributes`: the attributes of a route, without the NLRI lists of an UPDATE.
 * - `attributesHash`, `attributesEqual`: the hash and the deep equality used for interning.
 * - `AttributeTable`: intern (count +1), retain (+1), release (-1, forgotten at 0).
 *
 * Identical attribute sets are stored once: two paths with equal attributes hold the same
 * `InternedAttributes` object, so comparing attributes is comparing references, and the
 * update groups can pack every prefix sharing one object into one UPDATE. The count is
 * the number of holders (Adj-RIB-In paths, Adj-RIB-Out records); when it drops to zero
 * the entry leaves the table and its memory can be collected.
 */
import type { AsPathSegment, MpReach, PathAttributes, RawAttribute } from '../wire/types.js';

export interface InternedAttributes {
  /** The attribute set, frozen (shallowly; the arrays inside are never mutated). */
  readonly attrs: Readonly<PathAttributes>;
  /** Stable 32-bit FNV-1a hash of the canonical contents (same set -> same hash, every run). */
  readonly hash: number;
  /** Number of holders; the table forgets the entry when it reaches 0. */
  refs: number;
  /** Small unique id, handy as a Map key and in logs. */
  readonly id: number;
  /**
   * Encodings of these attributes made by the outbound path, keyed by a small number that
   * names the codec context (4-octet AS or not, family...). Dropped with the entry.
   */
  readonly encoded: Map<number, Uint8Array>;
}

const EMPTY_NLRI: readonly never[] = Object.freeze([]);

/**
 * The attributes that describe a route: the UPDATE's attributes minus its NLRI lists
 * (MP_REACH_NLRI keeps its AFI/SAFI and next hop, loses its NLRI; MP_UNREACH_NLRI is a
 * list of withdrawals, not an attribute of any route, RFC 4760 §4).
 */
export function routeAttributes(a: PathAttributes): PathAttributes {
  if (a.mpReach === undefined && a.mpUnreach === undefined) return a;
  const out: PathAttributes = { ...a };
  delete out.mpUnreach;
  if (a.mpReach !== undefined && a.mpReach.nlri.length > 0) {
    const mp: MpReach = { afi: a.mpReach.afi, safi: a.mpReach.safi, nextHop: a.mpReach.nextHop, nlri: EMPTY_NLRI };
    out.mpReach = mp;
  }
  return out;
}

// ---- hashing (FNV-1a, 32 bit) ---------------------------------------------------------

const FNV_OFFSET = 0x811c9dc5;
function mix(h: number, v: number): number {
  // Feed the 32-bit value octet by octet.
  h = Math.imul(h ^ (v & 0xff), 0x01000193);
  h = Math.imul(h ^ ((v >>> 8) & 0xff), 0x01000193);
  h = Math.imul(h ^ ((v >>> 16) & 0xff), 0x01000193);
  return Math.imul(h ^ (v >>> 24), 0x01000193);
}
function mixBytes(h: number, b: Uint8Array): number {
  h = mix(h, b.length);
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h;
}
function mixList(h: number, l: readonly number[]): number {
  h = mix(h, l.length);
  for (let i = 0; i < l.length; i++) h = mix(h, l[i]!);
  return h;
}
function mixPath(h: number, p: readonly AsPathSegment[]): number {
  h = mix(h, p.length);
  for (const s of p) h = mixList(mix(h, s.type), s.asns);
  return h;
}

/** Each field is tagged with its attribute code so that absent and present differ. */
export function attributesHash(a: PathAttributes): number {
  let h = FNV_OFFSET;
  if (a.origin !== undefined) h = mix(mix(h, 1), a.origin);
  if (a.asPath !== undefined) h = mixPath(mix(h, 2), a.asPath);
  if (a.nextHop !== undefined) h = mix(mix(h, 3), a.nextHop);
  if (a.med !== undefined) h = mix(mix(h, 4), a.med);
  if (a.localPref !== undefined) h = mix(mix(h, 5), a.localPref);
  if (a.atomicAggregate) h = mix(h, 6);
  if (a.aggregator !== undefined) h = mix(mix(mix(h, 7), a.aggregator.asn), a.aggregator.address);
  if (a.communities !== undefined) h = mixList(mix(h, 8), a.communities);
  if (a.originatorId !== undefined) h = mix(mix(h, 9), a.originatorId);
  if (a.clusterList !== undefined) h = mixList(mix(h, 10), a.clusterList);
  if (a.mpReach !== undefined) h = mixBytes(mix(mix(mix(h, 14), a.mpReach.afi), a.mpReach.safi), a.mpReach.nextHop);
  if (a.extCommunities !== undefined) {
    h = mix(mix(h, 16), a.extCommunities.length);
    for (const c of a.extCommunities) h = mixBytes(h, c);
  }
  if (a.as4Path !== undefined) h = mixPath(mix(h, 17), a.as4Path);
  if (a.as4Aggregator !== undefined) h = mix(mix(mix(h, 18), a.as4Aggregator.asn), a.as4Aggregator.address);
  if (a.largeCommunities !== undefined) {
    h = mix(mix(h, 32), a.largeCommunities.length);
    for (const c of a.largeCommunities) h = mix(mix(mix(h, c[0]), c[1]), c[2]);
  }
  if (a.unknown !== undefined) {
    h = mix(mix(h, 255), a.unknown.length);
    for (const u of a.unknown) h = mixBytes(mix(mix(h, u.code), u.flags), u.value);
  }
  return h >>> 0;
}

// ---- equality -------------------------------------------------------------------------

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function listEq(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function pathEq(a: readonly AsPathSegment[] | undefined, b: readonly AsPathSegment[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.type !== b[i]!.type || !listEq(a[i]!.asns, b[i]!.asns)) return false;
  return true;
}
function optEq<T>(a: T | undefined, b: T | undefined, eq: (x: T, y: T) => boolean): boolean {
  if (a === undefined || b === undefined) return a === b;
  return eq(a, b);
}
const aggEq = (x: { asn: number; address: number }, y: { asn: number; address: number }): boolean =>
  x.asn === y.asn && x.address === y.address;
const mpEq = (x: MpReach, y: MpReach): boolean => x.afi === y.afi && x.safi === y.safi && bytesEq(x.nextHop, y.nextHop);
const bytesListEq = (x: readonly Uint8Array[], y: readonly Uint8Array[]): boolean =>
  x.length === y.length && x.every((v, i) => bytesEq(v, y[i]!));
const largeEq = (x: PathAttributes['largeCommunities'] & object, y: PathAttributes['largeCommunities'] & object): boolean =>
  x.length === y.length && x.every((v, i) => v[0] === y[i]![0] && v[1] === y[i]![1] && v[2] === y[i]![2]);
const rawEq = (x: readonly RawAttribute[], y: readonly RawAttribute[]): boolean =>
  x.length === y.length && x.every((v, i) => v.code === y[i]!.code && v.flags === y[i]!.flags && bytesEq(v.value, y[i]!.value));

/** Deep equality of two route attribute sets (NLRI lists are not compared). */
export function attributesEqual(a: PathAttributes, b: PathAttributes): boolean {
  return (
    a.origin === b.origin &&
    a.nextHop === b.nextHop &&
    a.med === b.med &&
    a.localPref === b.localPref &&
    !!a.atomicAggregate === !!b.atomicAggregate &&
    a.originatorId === b.originatorId &&
    pathEq(a.asPath, b.asPath) &&
    optEq(a.aggregator, b.aggregator, aggEq) &&
    listEq(a.communities, b.communities) &&
    listEq(a.clusterList, b.clusterList) &&
    optEq(a.mpReach, b.mpReach, mpEq) &&
    optEq(a.extCommunities, b.extCommunities, bytesListEq) &&
    pathEq(a.as4Path, b.as4Path) &&
    optEq(a.as4Aggregator, b.as4Aggregator, aggEq) &&
    optEq(a.largeCommunities, b.largeCommunities, largeEq) &&
    optEq(a.unknown, b.unknown, rawEq)
  );
}

// ---- the table ------------------------------------------------------------------------

export class AttributeTable {
  /** hash -> entries with that hash (collisions are rare; a bucket is almost always 1). */
  readonly #buckets = new Map<number, InternedAttributes[]>();
  #size = 0;
  #nextId = 1;

  /** Number of distinct attribute sets held. */
  get size(): number {
    return this.#size;
  }

  /**
   * Returns the one stored copy of `attrs` (after `routeAttributes`), its count raised by
   * one. The caller owns that reference and gives it back with `release`.
   */
  intern(attrs: PathAttributes): InternedAttributes {
    const a = routeAttributes(attrs);
    const hash = attributesHash(a);
    let bucket = this.#buckets.get(hash);
    if (bucket !== undefined) {
      for (const e of bucket) {
        if (attributesEqual(e.attrs, a)) {
          e.refs++;
          return e;
        }
      }
    } else {
      bucket = [];
      this.#buckets.set(hash, bucket);
    }
    const e: InternedAttributes = { attrs: Object.freeze(a === attrs ? { ...a } : a), hash, refs: 1, id: this.#nextId++, encoded: new Map() };
    bucket.push(e);
    this.#size++;
    return e;
  }

  /** One more holder of an entry already interned here. */
  retain(e: InternedAttributes): InternedAttributes {
    if (e.refs <= 0) throw new Error(`attribute set ${e.id} was already released`);
    e.refs++;
    return e;
  }

  /** One holder fewer; at zero the entry is forgotten. */
  release(e: InternedAttributes): void {
    if (e.refs <= 0) throw new Error(`attribute set ${e.id} released more often than interned`);
    if (--e.refs > 0) return;
    const bucket = this.#buckets.get(e.hash);
    if (bucket === undefined) return;
    const i = bucket.indexOf(e);
    if (i >= 0) {
      bucket.splice(i, 1);
      this.#size--;
    }
    if (bucket.length === 0) this.#buckets.delete(e.hash);
  }
}
