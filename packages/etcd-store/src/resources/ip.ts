/**
 * Address and CIDR text at the datastore edge, checked with ip-address.
 * Canonical forms: dotted quad for IPv4, RFC 5952 text for IPv6.
 */
import { Address4, Address6 } from 'ip-address';
import { fail } from './issues.js';

export type Family = 4 | 6;

export interface IpAddr {
  readonly family: Family;
  /** Canonical text, no prefix length. */
  readonly address: string;
}

export interface IpWithPrefix extends IpAddr {
  readonly prefixLength: number;
}

export interface Cidr {
  readonly family: Family;
  /** Canonical "network/len", host bits cleared. */
  readonly cidr: string;
  readonly network: bigint;
  readonly prefixLength: number;
}

const maxLen = (f: Family): number => (f === 4 ? 32 : 128);

function parseOne(text: string): { family: Family; a: Address4 | Address6 } | undefined {
  try {
    if (text.includes(':')) return { family: 6, a: new Address6(text) };
    return { family: 4, a: new Address4(text) };
  } catch {
    return undefined;
  }
}

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Fast path for the common case (thousands of Node and block addresses per list):
 * a plain dotted quad as a 32-bit number. undefined: not plainly one (leading
 * zeros included), and ip-address decides.
 */
function dottedQuad(text: string): number | undefined {
  const m = DOTTED_QUAD.exec(text);
  if (m === null) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i] ?? '';
    const octet = Number(part);
    if ((part.length > 1 && part.startsWith('0')) || octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

const quadText = (n: number): string => `${Math.floor(n / 2 ** 24)}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;

/** A bare address (no "/len"), or undefined. */
export function tryParseIp(text: string): IpAddr | undefined {
  if (text.includes('/') || text.includes('%')) return undefined;
  if (dottedQuad(text) !== undefined) return { family: 4, address: text };
  const p = parseOne(text);
  if (p === undefined) return undefined;
  return { family: p.family, address: p.a.correctForm() };
}

export function parseIp(text: string, path: string): IpAddr {
  const ip = tryParseIp(text);
  if (ip === undefined) fail(`${path}: not an IP address: ${JSON.stringify(text)}`);
  return ip;
}

/** "10.0.0.11/24" or a bare address, which means /32 (/128 for IPv6). */
export function parseIpWithPrefix(text: string, path: string): IpWithPrefix {
  const [addr, len, extra] = text.split('/');
  if (addr === undefined || extra !== undefined) fail(`${path}: not an address/prefix: ${JSON.stringify(text)}`);
  const ip = parseIp(addr, path);
  const prefixLength = len === undefined ? maxLen(ip.family) : parseLength(len, ip.family, path);
  return { ...ip, prefixLength };
}

function parseLength(len: string, family: Family, path: string): number {
  if (!/^\d{1,3}$/.test(len) || Number(len) > maxLen(family)) fail(`${path}: bad prefix length ${JSON.stringify(len)}`);
  return Number(len);
}

/** "10.65.0.0/16"; host bits are cleared (Calico normalises CIDRs the same way). */
export function parseCidr(text: string, path: string): Cidr {
  const [addr, len, extra] = text.split('/');
  if (addr === undefined || len === undefined || extra !== undefined) fail(`${path}: not a CIDR: ${JSON.stringify(text)}`);
  const ip = parseIp(addr, path);
  const prefixLength = parseLength(len, ip.family, path);
  return cidrOf(ip, prefixLength);
}

export function tryParseCidr(text: string): Cidr | undefined {
  try {
    return parseCidr(text, 'cidr');
  } catch {
    return undefined;
  }
}

export function cidrOf(ip: IpAddr, prefixLength: number): Cidr {
  const bits = maxLen(ip.family);
  const quad = ip.family === 4 ? dottedQuad(ip.address) : undefined;
  if (quad !== undefined) {
    const network = prefixLength === 0 ? 0 : quad - (quad % 2 ** (32 - prefixLength));
    return { family: 4, cidr: `${quadText(network)}/${prefixLength}`, network: BigInt(network), prefixLength };
  }
  const value = ip.family === 4 ? new Address4(ip.address).bigInt() : new Address6(ip.address).bigInt();
  const hostBits = BigInt(bits - prefixLength);
  const network = (value >> hostBits) << hostBits;
  const text = ip.family === 4 ? Address4.fromBigInt(network).correctForm() : Address6.fromBigInt(network).correctForm();
  return { family: ip.family, cidr: `${text}/${prefixLength}`, network, prefixLength };
}

/** True when inner lies inside outer (same family, longer or equal prefix). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefixLength < outer.prefixLength) return false;
  const hostBits = BigInt(maxLen(outer.family) - outer.prefixLength);
  return (inner.network >> hostBits) === (outer.network >> hostBits);
}

export interface HostPort {
  readonly ip: IpAddr;
  readonly port?: number;
}

/** BGPPeer peerIP: "10.0.0.250", "10.0.0.250:1179", "fd00::250" or "[fd00::250]:1179". */
export function parseHostPort(text: string, path: string): HostPort {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6 !== null) {
    const ip = parseIp(v6[1] ?? '', path);
    if (ip.family !== 6) fail(`${path}: brackets are for IPv6 only: ${JSON.stringify(text)}`);
    return v6[2] === undefined ? { ip } : { ip, port: parsePort(v6[2], path) };
  }
  const v4 = /^([0-9.]+):(\d+)$/.exec(text);
  if (v4 !== null) return { ip: parseIp(v4[1] ?? '', path), port: parsePort(v4[2] ?? '', path) };
  return { ip: parseIp(text, path) };
}

function parsePort(text: string, path: string): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n < 1 || n > 65535) fail(`${path}: bad port ${JSON.stringify(text)}`);
  return n;
}
