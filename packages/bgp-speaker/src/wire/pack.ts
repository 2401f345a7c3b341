/**
 * Outbound packing: many prefixes that share one attribute set go into as few UPDATEs as
 * the negotiated maximum size allows (4096, or 65535 with RFC 8654 extended messages).
 * The attribute bytes come from `encodeAttributes` once per update group; for families
 * other than IPv4 unicast the NLRI travel in MP_REACH_NLRI (RFC 4760 §3), built per
 * message in front of the shared attribute bytes (RFC 7606 §5.1 puts it first).
 * MP attributes are always written with the Extended Length flag (a 2-octet length).
 */
import { allocMessage, write16 } from './bytes.js';
import { maxMessageLength, writeHeader } from './header.js';
import { nlriLength, writeNlri } from './nlri.js';
import { Afi, AttrCode, AttrFlag, familyKey, HEADER_LENGTH, MessageType, Safi, type CodecContext, type Family, type Nlri } from './types.js';

export interface PackOptions {
  /** Maximum message size; defaults to the negotiated one. */
  readonly maxLength?: number;
  /** MP_REACH_NLRI next hop (16 or 32 bytes for IPv6); required for non-IPv4-unicast families. */
  readonly nextHop?: Uint8Array;
}

const MP_FLAGS = AttrFlag.OPTIONAL | AttrFlag.EXTENDED_LENGTH;

function isClassic(f: Family): boolean {
  return f.afi === Afi.IPV4 && f.safi === Safi.UNICAST;
}

function options(o: number | PackOptions | undefined): PackOptions {
  return typeof o === 'number' ? { maxLength: o } : (o ?? {});
}

/**
 * Splits `nlri` into runs that fit `room` bytes each. Returns the end index of each run.
 * An NLRI is at most 21 bytes, so any room below that is a caller error.
 */
function runs(nlri: readonly Nlri[], addPath: boolean, room: number): number[] {
  if (room < (addPath ? 21 : 17)) throw new RangeError(`no room for NLRI: ${room} bytes left in a message`);
  const ends: number[] = [];
  let used = 0;
  for (let i = 0; i < nlri.length; i++) {
    const n = nlriLength(nlri[i]!, addPath);
    if (used + n > room) {
      ends.push(i);
      used = 0;
    }
    used += n;
  }
  if (nlri.length > 0) ends.push(nlri.length);
  return ends;
}

function runBytes(nlri: readonly Nlri[], from: number, to: number, addPath: boolean): number {
  let n = 0;
  for (let i = from; i < to; i++) n += nlriLength(nlri[i]!, addPath);
  return n;
}

/** Complete UPDATE messages announcing `nlri` with the shared attribute bytes `attrs`. */
export function packUpdates(
  family: Family,
  attrs: Uint8Array,
  nlri: readonly Nlri[],
  ctx: CodecContext,
  opts?: number | PackOptions,
): Uint8Array[] {
  const o = options(opts);
  const max = o.maxLength ?? maxMessageLength(ctx);
  const addPath = ctx.addPathSend.has(familyKey(family.afi, family.safi));
  const out: Uint8Array[] = [];
  if (isClassic(family)) {
    const fixed = HEADER_LENGTH + 4 + attrs.length;
    let from = 0;
    for (const to of runs(nlri, addPath, max - fixed)) {
      const total = fixed + runBytes(nlri, from, to, addPath);
      const b = allocMessage(total);
      writeHeader(b, 0, total, MessageType.UPDATE);
      // withdrawn length 0 (bytes 19-20 already zero)
      write16(b, 21, attrs.length);
      b.set(attrs, 23);
      let off = 23 + attrs.length;
      for (let i = from; i < to; i++) off = writeNlri(b, off, nlri[i]!, addPath);
      out.push(b);
      from = to;
    }
    return out;
  }
  const nh = o.nextHop;
  if (nh === undefined) throw new RangeError('packUpdates: a next hop is required for MP_REACH_NLRI');
  const mpFixed = 4 + 5 + nh.length; // attribute header (extended length) + AFI/SAFI/NH len/NH/reserved
  const fixed = HEADER_LENGTH + 4 + mpFixed + attrs.length;
  let from = 0;
  for (const to of runs(nlri, addPath, Math.min(max - fixed, 0xffff - 5 - nh.length))) {
    const nl = runBytes(nlri, from, to, addPath);
    const total = fixed + nl;
    const b = allocMessage(total);
    writeHeader(b, 0, total, MessageType.UPDATE);
    write16(b, 21, mpFixed + nl + attrs.length);
    let off = 23;
    b[off] = MP_FLAGS;
    b[off + 1] = AttrCode.MP_REACH_NLRI;
    write16(b, off + 2, 5 + nh.length + nl);
    write16(b, off + 4, family.afi);
    b[off + 6] = family.safi;
    b[off + 7] = nh.length;
    b.set(nh, off + 8);
    off += 8 + nh.length;
    b[off++] = 0; // reserved
    for (let i = from; i < to; i++) off = writeNlri(b, off, nlri[i]!, addPath);
    b.set(attrs, off);
    out.push(b);
    from = to;
  }
  return out;
}

/** Complete UPDATE messages withdrawing `nlri` (classic field for IPv4 unicast, else MP_UNREACH_NLRI). */
export function packWithdrawals(family: Family, nlri: readonly Nlri[], ctx: CodecContext, opts?: number | PackOptions): Uint8Array[] {
  const max = options(opts).maxLength ?? maxMessageLength(ctx);
  const addPath = ctx.addPathSend.has(familyKey(family.afi, family.safi));
  const out: Uint8Array[] = [];
  const classic = isClassic(family);
  const fixed = HEADER_LENGTH + 4 + (classic ? 0 : 7);
  let from = 0;
  for (const to of runs(nlri, addPath, Math.min(max - fixed, 0xffff - 3))) {
    const nl = runBytes(nlri, from, to, addPath);
    const total = fixed + nl;
    const b = allocMessage(total);
    writeHeader(b, 0, total, MessageType.UPDATE);
    let off: number;
    if (classic) {
      write16(b, 19, nl);
      off = 21; // attribute length written after the NLRI (stays 0)
    } else {
      write16(b, 21, 7 + nl);
      b[23] = MP_FLAGS;
      b[24] = AttrCode.MP_UNREACH_NLRI;
      write16(b, 25, 3 + nl);
      write16(b, 27, family.afi);
      b[29] = family.safi;
      off = 30;
    }
    for (let i = from; i < to; i++) off = writeNlri(b, off, nlri[i]!, addPath);
    out.push(b);
    from = to;
  }
  return out;
}

/** RFC 4724 §2 End-of-RIB: an empty UPDATE (IPv4 unicast) or one with an empty MP_UNREACH_NLRI. */
export function encodeEndOfRib(family: Family): Uint8Array {
  if (isClassic(family)) {
    const b = new Uint8Array(HEADER_LENGTH + 4);
    writeHeader(b, 0, b.length, MessageType.UPDATE);
    return b;
  }
  const b = new Uint8Array(HEADER_LENGTH + 4 + 6);
  writeHeader(b, 0, b.length, MessageType.UPDATE);
  write16(b, 21, 6);
  b[23] = AttrFlag.OPTIONAL;
  b[24] = AttrCode.MP_UNREACH_NLRI;
  b[25] = 3;
  write16(b, 26, family.afi);
  b[28] = family.safi;
  return b;
}
