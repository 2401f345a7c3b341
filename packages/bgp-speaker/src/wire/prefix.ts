/**
 * Prefixes: text <-> `Prefix`, compact map keys, containment. Host bits are always zero
 * in a `Prefix` (types.ts); `parsePrefix` refuses text with host bits set unless asked
 * to mask them (`{ loose: true }`).
 */
import { AddressError, formatIpv4, formatIpv6, tryParseIpv4, tryParseIpv6 } from './address.js';
import { Afi, type Ipv4Prefix, type Ipv6Prefix, type Prefix } from './types.js';

/** Netmask of an IPv4 prefix length as uint32 (len 0..32). */
export function ipv4Mask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export function ipv4Prefix(addr: number, len: number): Ipv4Prefix {
  return { afi: Afi.IPV4, addr: (addr & ipv4Mask(len)) >>> 0, len };
}

/** Copy of `addr` with the bits past `len` cleared. */
export function maskIpv6(addr: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(16);
  const full = len >>> 3;
  out.set(addr.subarray(0, full));
  if (len & 7) out[full] = addr[full]! & (0xff << (8 - (len & 7)));
  return out;
}

export function ipv6Prefix(addr: Uint8Array, len: number): Ipv6Prefix {
  return { afi: Afi.IPV6, addr: maskIpv6(addr, len), len };
}

export interface ParsePrefixOptions {
  /** Mask host bits instead of refusing them. */
  readonly loose?: boolean;
}

/** '172.16.5.0/24' or 'fd00::/64'. A bare address is a host prefix (/32 or /128). */
export function parsePrefix(s: string, opts: ParsePrefixOptions = {}): Prefix {
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const lenText = slash < 0 ? null : s.slice(slash + 1);
  if (lenText !== null && !/^(0|[1-9]\d{0,2})$/.test(lenText)) {
    throw new AddressError(`bad prefix length in ${JSON.stringify(s)}`);
  }
  if (addrText.includes(':')) {
    const a = tryParseIpv6(addrText);
    if (a === null) throw new AddressError(`not an IPv6 prefix: ${JSON.stringify(s)}`);
    const len = lenText === null ? 128 : Number(lenText);
    if (len > 128) throw new AddressError(`IPv6 prefix length > 128: ${JSON.stringify(s)}`);
    const p = ipv6Prefix(a, len);
    if (!opts.loose && !bytesEqual(p.addr, a)) throw new AddressError(`host bits set in ${JSON.stringify(s)}`);
    return p;
  }
  const a = tryParseIpv4(addrText);
  if (a === null) throw new AddressError(`not an IPv4 prefix: ${JSON.stringify(s)}`);
  const len = lenText === null ? 32 : Number(lenText);
  if (len > 32) throw new AddressError(`IPv4 prefix length > 32: ${JSON.stringify(s)}`);
  const p = ipv4Prefix(a, len);
  if (!opts.loose && p.addr !== a) throw new AddressError(`host bits set in ${JSON.stringify(s)}`);
  return p;
}

export function formatPrefix(p: Prefix): string {
  return p.afi === Afi.IPV4 ? `${formatIpv4(p.addr)}/${p.len}` : `${formatIpv6(p.addr)}/${p.len}`;
}

/**
 * A compact Map key (DESIGN.md §4): IPv4 -> addr * 64 + len (a number below 2^38);
 * IPv6 -> a short string: the length, then the significant 16-bit groups as UTF-16 units.
 */
export function prefixKey(p: Prefix): number | string {
  if (p.afi === Afi.IPV4) return p.addr * 64 + p.len;
  const groups = (p.len + 15) >>> 4;
  let s = String.fromCharCode(p.len);
  for (let i = 0; i < groups; i++) s += String.fromCharCode((p.addr[i * 2]! << 8) | p.addr[i * 2 + 1]!);
  return s;
}

/** Inverse of `prefixKey`. */
export function prefixFromKey(k: number | string): Prefix {
  if (typeof k === 'number') return { afi: Afi.IPV4, addr: Math.floor(k / 64), len: k % 64 };
  const len = k.charCodeAt(0);
  const addr = new Uint8Array(16);
  for (let i = 1; i < k.length; i++) {
    const g = k.charCodeAt(i);
    addr[(i - 1) * 2] = g >>> 8;
    addr[(i - 1) * 2 + 1] = g & 0xff;
  }
  return { afi: Afi.IPV6, addr, len };
}

export function prefixEquals(a: Prefix, b: Prefix): boolean {
  if (a.afi !== b.afi || a.len !== b.len) return false;
  if (a.afi === Afi.IPV4) return a.addr === (b as Ipv4Prefix).addr;
  return bytesEqual(a.addr, (b as Ipv6Prefix).addr);
}

/** True when `inner` lies inside `outer` (equal counts). Different families never nest. */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.afi !== inner.afi || inner.len < outer.len) return false;
  if (outer.afi === Afi.IPV4) return ((inner.addr as number) & ipv4Mask(outer.len)) >>> 0 === outer.addr;
  const masked = maskIpv6(inner.addr as Uint8Array, outer.len);
  return bytesEqual(masked, outer.addr);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
