/**
 * IP address text <-> wire form, for the edges (CLI, configuration, logs).
 *
 * - IPv4: a uint32 `number` (network byte order value, e.g. 10.0.0.1 = 0x0a000001).
 * - IPv6: a 16-byte Uint8Array; text output is canonical per RFC 5952 §4.
 *
 * These helpers throw `AddressError` on bad text: they are never on the decode path
 * (which only sees bytes), so a clear exception is the right outcome for bad input.
 */

export class AddressError extends Error {
  override readonly name = 'AddressError';
}

const DEC_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Strict dotted quad (no leading zeros, no shorthand) -> uint32. */
export function parseIpv4(s: string): number {
  const n = tryParseIpv4(s);
  if (n === null) throw new AddressError(`not an IPv4 address: ${JSON.stringify(s)}`);
  return n;
}

export function tryParseIpv4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!DEC_OCTET.test(p)) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 4291 §2.2 text forms, including `::` and a trailing dotted quad. No zone ids. */
export function parseIpv6(s: string): Uint8Array {
  const b = tryParseIpv6(s);
  if (b === null) throw new AddressError(`not an IPv6 address: ${JSON.stringify(s)}`);
  return b;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function tryParseIpv6(s: string): Uint8Array | null {
  if (s.length < 2 || s.length > 45) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (text: string): number[] | null => {
    if (text === '') return [];
    const out: number[] = [];
    const parts = text.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = tryParseIpv4(p);
        if (v4 === null) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (HEX_GROUP.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  if (head === null) return null;
  let all: number[];
  if (halves.length === 2) {
    const tail = groups(halves[1]!);
    if (tail === null) return null;
    const gap = 8 - head.length - tail.length;
    if (gap < 1) return null;
    all = [...head, ...new Array<number>(gap).fill(0), ...tail];
  } else {
    all = head;
  }
  if (all.length !== 8) return null;
  const b = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    b[i * 2] = all[i]! >>> 8;
    b[i * 2 + 1] = all[i]! & 0xff;
  }
  return b;
}

/**
 * RFC 5952 §4: lower case, no leading zeros, the longest run (first on a tie) of two or
 * more zero groups shortened to `::`; §5: IPv4-mapped addresses end in a dotted quad.
 */
export function formatIpv6(b: Uint8Array): string {
  if (b.length !== 16) throw new AddressError(`IPv6 address must be 16 bytes, got ${b.length}`);
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    g
      .slice(from, to)
      .map((x) => x.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

export type IpAddress = { readonly afi: 1; readonly v4: number } | { readonly afi: 2; readonly v6: Uint8Array };

/** Either family, by syntax. */
export function parseIp(s: string): IpAddress {
  if (s.includes(':')) return { afi: 2, v6: parseIpv6(s) };
  return { afi: 1, v4: parseIpv4(s) };
}

export function formatIp(a: IpAddress): string {
  return a.afi === 1 ? formatIpv4(a.v4) : formatIpv6(a.v6);
}

/** uint32 -> 4 bytes, network order (e.g. an IPv4 next hop for MP_REACH, RFC 8950). */
export function ipv4ToBytes(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}
