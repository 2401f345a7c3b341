/**
 * UPDATE encoding (RFC 4271 §4.3): path attributes through the attribute table, then whole
 * messages. Sizes are computed first so each message is written into one exactly-sized
 * buffer (no concatenation). MP_REACH_NLRI / MP_UNREACH_NLRI go first (RFC 7606 §5.1).
 * Unknown optional transitive attributes are re-sent with the Partial bit set (RFC 4271 §5).
 */
import { ATTRIBUTE_TABLE } from './attributes.js';
import { allocMessage } from './bytes.js';
import { maxMessageLength, writeHeader } from './header.js';
import { nlriListLength, writeNlriList } from './nlri.js';
import { AttrCode, AttrFlag, familyKey, HEADER_LENGTH, MessageType, type CodecContext, type PathAttributes, type UpdateMessage } from './types.js';

/** Value lengths of the rows of the last `measure` call (-1 = absent). Encoding is not re-entrant. */
const lens = new Int32Array(ATTRIBUTE_TABLE.length);

function isMp(code: number): boolean {
  return code === AttrCode.MP_REACH_NLRI || code === AttrCode.MP_UNREACH_NLRI;
}

/** Total encoded size (headers included) of the attributes, optionally without MP_REACH/MP_UNREACH. */
function measure(a: PathAttributes, ctx: CodecContext, skipMp: boolean): number {
  let total = 0;
  for (let i = 0; i < ATTRIBUTE_TABLE.length; i++) {
    const row = ATTRIBUTE_TABLE[i]!;
    const n = skipMp && isMp(row.code) ? -1 : row.length(a, ctx);
    if (n > 0xffff) throw new RangeError(`${row.name} of ${n} bytes exceeds the attribute length field`);
    lens[i] = n;
    if (n >= 0) total += (n > 255 ? 4 : 3) + n;
  }
  const unknown = a.unknown;
  if (unknown !== undefined) {
    for (const u of unknown) {
      if (u.value.length > 0xffff) throw new RangeError(`attribute ${u.code} of ${u.value.length} bytes exceeds the attribute length field`);
      total += (u.value.length > 255 ? 4 : 3) + u.value.length;
    }
  }
  return total;
}

function writeMeasured(b: Uint8Array, off: number, a: PathAttributes, ctx: CodecContext): number {
  for (let i = 0; i < ATTRIBUTE_TABLE.length; i++) {
    const n = lens[i]!;
    if (n < 0) continue;
    const row = ATTRIBUTE_TABLE[i]!;
    if (n > 255) {
      b[off] = row.flags | AttrFlag.EXTENDED_LENGTH;
      b[off + 1] = row.code;
      b[off + 2] = n >>> 8;
      b[off + 3] = n;
      off += 4;
    } else {
      b[off] = row.flags;
      b[off + 1] = row.code;
      b[off + 2] = n;
      off += 3;
    }
    const end = row.write(b, off, a, ctx);
    if (end !== off + n) throw new Error(`${row.name}: wrote ${end - off} bytes, predicted ${n}`);
    off = end;
  }
  const unknown = a.unknown;
  if (unknown !== undefined) {
    for (const u of unknown) {
      const n = u.value.length;
      const flags = (u.flags | AttrFlag.PARTIAL) & ~AttrFlag.EXTENDED_LENGTH;
      b[off] = n > 255 ? flags | AttrFlag.EXTENDED_LENGTH : flags;
      b[off + 1] = u.code;
      off += 2;
      if (n > 255) b[off++] = n >>> 8;
      b[off++] = n;
      b.set(u.value, off);
      off += n;
    }
  }
  return off;
}

/** Encoded size of all attributes (headers included). */
export function attributesLength(a: PathAttributes, ctx: CodecContext): number {
  return measure(a, ctx, false);
}

/** Writes all attributes at `b[off..]`; returns the offset after them. */
export function writeAttributes(b: Uint8Array, off: number, a: PathAttributes, ctx: CodecContext): number {
  measure(a, ctx, false);
  return writeMeasured(b, off, a, ctx);
}

/**
 * The path-attribute bytes of `a` WITHOUT MP_REACH_NLRI / MP_UNREACH_NLRI: encode once per
 * update group and hand to `packUpdates` for every batch of prefixes sharing them.
 */
export function encodeAttributes(a: PathAttributes, ctx: CodecContext): Uint8Array {
  const n = measure(a, ctx, true);
  const b = new Uint8Array(n);
  writeMeasured(b, 0, a, ctx);
  return b;
}

/** Size of the whole UPDATE message, header included. */
export function updateLength(u: UpdateMessage, ctx: CodecContext): number {
  const ap = ctx.addPathSend.has(familyKey(1, 1));
  return HEADER_LENGTH + 4 + nlriListLength(u.withdrawn, ap) + measure(u.attributes, ctx, false) + nlriListLength(u.nlri, ap);
}

/**
 * Encodes one UPDATE as given. Throws RangeError when it exceeds the negotiated maximum
 * message size (use `packUpdates` to split many prefixes).
 */
export function encodeUpdate(u: UpdateMessage, ctx: CodecContext): Uint8Array {
  const ap = ctx.addPathSend.has(familyKey(1, 1));
  const wLen = nlriListLength(u.withdrawn, ap);
  const aLen = measure(u.attributes, ctx, false);
  const total = HEADER_LENGTH + 4 + wLen + aLen + nlriListLength(u.nlri, ap);
  if (total > maxMessageLength(ctx)) throw new RangeError(`UPDATE of ${total} bytes exceeds ${maxMessageLength(ctx)}`);
  if (wLen > 0xffff || aLen > 0xffff) throw new RangeError('UPDATE field exceeds 65535 bytes');
  const b = allocMessage(total);
  writeHeader(b, 0, total, MessageType.UPDATE);
  let off = HEADER_LENGTH;
  b[off] = wLen >>> 8;
  b[off + 1] = wLen;
  off = writeNlriList(b, off + 2, u.withdrawn, ap);
  b[off] = aLen >>> 8;
  b[off + 1] = aLen;
  off = writeMeasured(b, off + 2, u.attributes, ctx);
  off = writeNlriList(b, off, u.nlri, ap);
  if (off !== total) throw new Error(`UPDATE: wrote ${off} bytes, predicted ${total}`);
  return b;
}
