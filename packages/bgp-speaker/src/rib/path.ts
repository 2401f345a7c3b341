/**
 * A path: one route for one prefix as received from one peer (RFC 4271 §3.1, with the
 * RFC 7911 path identifier), the unit stored in the Adj-RIB-In and ranked in the Loc-RIB.
 *
 * Contents: `PeerInfo` (what the decision process and reflection need to know about the
 * peer a path came from), `peerInfo` (builds one, with a sortable address), `Rejection`
 * (why a held path is not eligible), `Path`, `makePath`, `pathLabel` (for logs and tests).
 */
import { tryParseIpv4, tryParseIpv6 } from '../wire/address.js';
import { formatPrefix, prefixKey } from '../wire/prefix.js';
import type { Prefix } from '../wire/types.js';
import type { InternedAttributes } from './attribute-table.js';

/** How the daemon names a peer (e.g. its address, or address+family session). */
export type PeerId = string;
/** `prefixKey(prefix)`: a number for IPv4, a short string for IPv6 (wire/prefix.ts). */
export type PrefixKey = number | string;

export interface PeerInfo {
  readonly id: PeerId;
  /** The peer's BGP Identifier (from its OPEN), uint32. */
  readonly routerId: number;
  /** The peer's transport address as text. */
  readonly address: string;
  /**
   * The address as 32 hex digits (IPv4 mapped into ::ffff:0:0/96), so that comparing two
   * strings compares the addresses numerically (RFC 4271 §9.1.2.2 (g)).
   */
  readonly addressOrder: string;
  /** The peer's AS. */
  readonly asn: number;
  /** Route-reflector client (RFC 4456 §2). Meaningful for iBGP peers. */
  readonly isClient: boolean;
  /** Same AS as ours: internal peer. */
  readonly isIbgp: boolean;
}

export interface PeerInfoInput {
  readonly id: PeerId;
  readonly routerId: number;
  readonly address: string;
  readonly asn: number;
  readonly isClient: boolean;
  readonly isIbgp: boolean;
}

function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16);
}

/** Sortable form of an address text; unparsable text sorts after every address. */
export function addressOrder(address: string): string {
  const v4 = tryParseIpv4(address);
  if (v4 !== null) return '00000000000000000000ffff' + v4.toString(16).padStart(8, '0');
  const v6 = tryParseIpv6(address);
  if (v6 === null) return 'g' + address;
  let s = '';
  for (let i = 0; i < 16; i++) s += hex2(v6[i]!);
  return s;
}

export function peerInfo(p: PeerInfoInput): PeerInfo {
  return Object.freeze({ ...p, addressOrder: addressOrder(p.address) });
}

/**
 * Why a path is held but never eligible for selection (RFC 4271 §9.1.2: only feasible
 * routes that pass import policy are candidates). A rejected path still replaces the path
 * it updates (an UPDATE is an implicit withdraw, §9) and stays in the Adj-RIB-In, so it can
 * be shown and, when only policy rejected it, accepted later without asking the peer.
 *
 *   loop               RFC 4456 §8 (ORIGINATOR_ID is ours, or our CLUSTER_ID is listed)
 *   policy             import policy
 *   limit              a prefix limit (a path past it)
 *   treat-as-withdraw  RFC 7606 §2: the UPDATE carrying it was malformed
 */
export type RejectionKind = 'loop' | 'policy' | 'limit' | 'treat-as-withdraw';

export interface Rejection {
  readonly kind: RejectionKind;
  /** Human-readable detail, e.g. "block 172.16.5.0/24 is owned by node-5". */
  readonly text: string;
}

/** The same verdict (both eligible, or the same kind and text). */
export function sameRejection(a: Rejection | null, b: Rejection | null): boolean {
  return a === b || (a !== null && b !== null && a.kind === b.kind && a.text === b.text);
}

export interface Path {
  readonly prefix: Prefix;
  /** `prefixKey(prefix)`, computed once. */
  readonly key: PrefixKey;
  /** RFC 7911 path identifier as received (0 without ADD-PATH). */
  readonly pathId: number;
  readonly attrs: InternedAttributes;
  readonly peer: PeerInfo;
  /**
   * RFC 4724 §4.2: the peer restarted and this path was kept, marked stale, until the
   * peer's End-of-RIB or the restart time. Cleared by a fresh UPDATE (which replaces it).
   */
  stale: boolean;
  /** Why this path is not eligible (it is kept, never selected), or null when it is. */
  readonly rejected: Rejection | null;
}

export function makePath(
  prefix: Prefix,
  pathId: number,
  attrs: InternedAttributes,
  peer: PeerInfo,
  rejected: Rejection | null = null,
): Path {
  return { prefix, key: prefixKey(prefix), pathId, attrs, peer, stale: false, rejected };
}

/** '172.16.1.0/24 #3 from 10.0.0.1' */
export function pathLabel(p: Path): string {
  return `${formatPrefix(p.prefix)}${p.pathId !== 0 ? ` #${p.pathId}` : ''} from ${p.peer.address}`;
}
