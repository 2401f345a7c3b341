/**
 * A tiny byte builder for hand-written expected messages. It shares NO code with the
 * encoder on purpose: expected bytes are spelled out here independently.
 */

export type Part = number[] | Uint8Array | string;

/** '0a 00 00 01' or '0a000001' -> bytes. */
export function hex(s: string): number[] {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd hex: ${s}`);
  const out: number[] = [];
  for (let i = 0; i < clean.length; i += 2) out.push(parseInt(clean.slice(i, i + 2), 16));
  return out;
}

export const u8 = (n: number): number[] => [n & 0xff];
export const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
export const u32 = (n: number): number[] => [Math.floor(n / 0x1000000) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

/** Dotted quad to 4 bytes, by string splitting. */
export const ip4 = (s: string): number[] => s.split('.').map(Number);

export function cat(...parts: Part[]): Uint8Array {
  const flat: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') flat.push(...hex(p));
    else flat.push(...p);
  }
  return Uint8Array.from(flat);
}

export const MARKER = new Array<number>(16).fill(0xff);

/** A whole message: marker, computed length, type, body. */
export function msg(type: number, ...body: Part[]): Uint8Array {
  const b = cat(...body);
  return cat(MARKER, u16(19 + b.length), [type], b);
}

/** One path attribute; the length is 2 bytes when flags has 0x10. */
export function attr(flags: number, code: number, ...value: Part[]): Uint8Array {
  const v = cat(...value);
  return cat([flags, code], flags & 0x10 ? u16(v.length) : u8(v.length), v);
}

/** An IPv4 NLRI entry: length in bits, then ceil(len/8) bytes of the address. */
export function pfx4(addr: string, len: number, pathId?: number): number[] {
  const bytes = ip4(addr).slice(0, Math.ceil(len / 8));
  return [...(pathId === undefined ? [] : u32(pathId)), len, ...bytes];
}

/** An IPv6 NLRI entry from 8 groups written out in full hex ('fd00 0000 ...' or 16-byte hex). */
export function pfx6(addrHex: string, len: number, pathId?: number): number[] {
  const bytes = hex(addrHex).slice(0, Math.ceil(len / 8));
  return [...(pathId === undefined ? [] : u32(pathId)), len, ...bytes];
}

/** UPDATE body: withdrawn, attributes, NLRI (lengths computed). */
export function updateBody(withdrawn: Part, attrs: Part, nlri: Part): Uint8Array {
  const w = cat(withdrawn);
  const a = cat(attrs);
  return cat(u16(w.length), w, u16(a.length), a, cat(nlri));
}

export const update = (withdrawn: Part, attrs: Part, nlri: Part): Uint8Array => msg(2, updateBody(withdrawn, attrs, nlri));

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
