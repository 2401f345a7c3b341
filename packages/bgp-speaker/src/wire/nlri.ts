/**
 * NLRI encoding (RFC 4271 §4.3 "Network Layer Reachability Information"): a length in bits
 * then the fewest whole octets holding it; with ADD-PATH (RFC 7911 §3) a 4-octet path
 * identifier comes first. Used for the classic withdrawn/NLRI fields and inside
 * MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 §5).
 */
import { WireError } from './errors.js';
import { Afi, type Nlri, type Prefix } from './types.js';

/**
 * Decodes `b[start..end)` as a list of NLRI of family `afi`. A prefix that runs past `end`
 * or is longer than the address is a syntax error: `WireError(code, subcode)` (session
 * reset, RFC 7606 §5.3). Host bits beyond the length are cleared (RFC 4271 §4.3: the
 * trailing bits are irrelevant).
 */
export function decodeNlri(
  b: Uint8Array,
  start: number,
  end: number,
  afi: number,
  addPath: boolean,
  code: number,
  subcode: number,
): Nlri[] {
  const out: Nlri[] = [];
  const maxBits = afi === Afi.IPV4 ? 32 : 128;
  let p = start;
  while (p < end) {
    let pathId = 0;
    if (addPath) {
      if (p + 4 > end) throw new WireError(code, subcode, 'NLRI path identifier truncated');
      pathId = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
      p += 4;
      if (p >= end) throw new WireError(code, subcode, 'NLRI prefix length missing');
    }
    const len = b[p++]!;
    if (len > maxBits) throw new WireError(code, subcode, `NLRI prefix length ${len} > ${maxBits}`);
    const n = (len + 7) >>> 3;
    if (p + n > end) throw new WireError(code, subcode, 'NLRI prefix truncated');
    let prefix: Prefix;
    if (afi === Afi.IPV4) {
      let addr = 0;
      for (let i = 0; i < 4; i++) addr = (addr << 8) | (i < n ? b[p + i]! : 0);
      if (len < 32) addr = len === 0 ? 0 : addr & (0xffffffff << (32 - len));
      prefix = { afi: Afi.IPV4, addr: addr >>> 0, len };
    } else {
      const addr = new Uint8Array(16);
      for (let i = 0; i < n; i++) addr[i] = b[p + i]!;
      if (len & 7) addr[n - 1] = addr[n - 1]! & (0xff << (8 - (len & 7)));
      prefix = { afi: Afi.IPV6, addr, len };
    }
    p += n;
    out.push({ prefix, pathId });
  }
  return out;
}

/** Encoded size of one NLRI entry. */
export function nlriLength(n: Nlri, addPath: boolean): number {
  return (addPath ? 5 : 1) + ((n.prefix.len + 7) >>> 3);
}

/** Writes one NLRI entry at `b[off..]`, returns the offset after it. */
export function writeNlri(b: Uint8Array, off: number, n: Nlri, addPath: boolean): number {
  if (addPath) {
    const id = n.pathId;
    b[off] = id >>> 24;
    b[off + 1] = id >>> 16;
    b[off + 2] = id >>> 8;
    b[off + 3] = id;
    off += 4;
  }
  const p = n.prefix;
  const len = p.len;
  b[off++] = len;
  const bytes = (len + 7) >>> 3;
  if (p.afi === Afi.IPV4) {
    const a = p.addr;
    if (bytes > 0) b[off] = a >>> 24;
    if (bytes > 1) b[off + 1] = a >>> 16;
    if (bytes > 2) b[off + 2] = a >>> 8;
    if (bytes > 3) b[off + 3] = a;
  } else {
    const a = p.addr;
    for (let i = 0; i < bytes; i++) b[off + i] = a[i]!;
  }
  return off + bytes;
}

export function nlriListLength(list: readonly Nlri[], addPath: boolean): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) n += nlriLength(list[i]!, addPath);
  return n;
}

export function writeNlriList(b: Uint8Array, off: number, list: readonly Nlri[], addPath: boolean): number {
  for (let i = 0; i < list.length; i++) off = writeNlri(b, off, list[i]!, addPath);
  return off;
}
