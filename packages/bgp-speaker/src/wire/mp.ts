/**
 * RFC 4760 §3-§4 MP_REACH_NLRI and MP_UNREACH_NLRI values.
 *
 *   MP_REACH_NLRI:   AFI (2) | SAFI (1) | NH length (1) | next hop | reserved (1) | NLRI...
 *   MP_UNREACH_NLRI: AFI (2) | SAFI (1) | withdrawn NLRI...
 *
 * A malformed instance is a session reset (RFC 7606 §5.3, §7.11): the decoders return the
 * Optional Attribute Error subcode and the row in attributes.ts carries that severity.
 * An AFI/SAFI we do not carry is discarded (`DISCARD_ATTRIBUTE` flag on the result).
 */
import { read16, write16 } from './bytes.js';
import { UpdateSubcode, WireError } from './errors.js';
import { decodeNlri, nlriListLength, writeNlriList } from './nlri.js';
import { Afi, Safi, familyKey, type CodecContext, type MpReach, type MpUnreach, type Nlri, type PathAttributes } from './types.js';

/** Or-ed into a decoder's result: discard the attribute (RFC 7606 attribute-discard) instead of its row severity. */
export const DISCARD_ATTRIBUTE = 0x100;

const OPT_ERR = UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR;

function supported(afi: number, safi: number): boolean {
  return (afi === Afi.IPV4 || afi === Afi.IPV6) && safi === Safi.UNICAST;
}

function nlriOrNull(b: Uint8Array, s: number, e: number, afi: number, addPath: boolean): Nlri[] | null {
  try {
    return decodeNlri(b, s, e, afi, addPath, 3, OPT_ERR);
  } catch (err) {
    if (err instanceof WireError) return null;
    throw err;
  }
}

export function decodeMpReach(b: Uint8Array, s: number, e: number, out: PathAttributes, ctx: CodecContext): number {
  if (e - s < 5) return OPT_ERR;
  const afi = read16(b, s);
  const safi = b[s + 2]!;
  const nhLen = b[s + 3]!;
  const nhEnd = s + 4 + nhLen;
  if (nhEnd + 1 > e) return OPT_ERR;
  if (!supported(afi, safi)) return DISCARD_ATTRIBUTE | OPT_ERR;
  // IPv6 next hop: global, or global + link-local (RFC 2545 §3); IPv4 NLRI: 4, or IPv6 per RFC 8950.
  const nhOk = afi === Afi.IPV6 ? nhLen === 16 || nhLen === 32 : nhLen === 4 || nhLen === 16 || nhLen === 32;
  if (!nhOk) return OPT_ERR;
  const nlri = nlriOrNull(b, nhEnd + 1, e, afi, ctx.addPathReceive.has(familyKey(afi, safi)));
  if (nlri === null) return OPT_ERR;
  out.mpReach = { afi, safi, nextHop: b.slice(s + 4, nhEnd), nlri };
  return 0;
}

export function decodeMpUnreach(b: Uint8Array, s: number, e: number, out: PathAttributes, ctx: CodecContext): number {
  if (e - s < 3) return OPT_ERR;
  const afi = read16(b, s);
  const safi = b[s + 2]!;
  if (!supported(afi, safi)) return DISCARD_ATTRIBUTE | OPT_ERR;
  const withdrawn = nlriOrNull(b, s + 3, e, afi, ctx.addPathReceive.has(familyKey(afi, safi)));
  if (withdrawn === null) return OPT_ERR;
  out.mpUnreach = { afi, safi, withdrawn };
  return 0;
}

export function mpReachLength(m: MpReach, ctx: CodecContext): number {
  return 5 + m.nextHop.length + nlriListLength(m.nlri, ctx.addPathSend.has(familyKey(m.afi, m.safi)));
}

export function writeMpReach(b: Uint8Array, off: number, m: MpReach, ctx: CodecContext): number {
  write16(b, off, m.afi);
  b[off + 2] = m.safi;
  b[off + 3] = m.nextHop.length;
  b.set(m.nextHop, off + 4);
  off += 4 + m.nextHop.length;
  b[off++] = 0; // reserved
  return writeNlriList(b, off, m.nlri, ctx.addPathSend.has(familyKey(m.afi, m.safi)));
}

export function mpUnreachLength(m: MpUnreach, ctx: CodecContext): number {
  return 3 + nlriListLength(m.withdrawn, ctx.addPathSend.has(familyKey(m.afi, m.safi)));
}

export function writeMpUnreach(b: Uint8Array, off: number, m: MpUnreach, ctx: CodecContext): number {
  write16(b, off, m.afi);
  b[off + 2] = m.safi;
  return writeNlriList(b, off + 3, m.withdrawn, ctx.addPathSend.has(familyKey(m.afi, m.safi)));
}
