/**
 * RFC 4271 §4.1 message header: 16-byte all-ones marker, 2-byte length, 1-byte type.
 * Header checks of RFC 4271 §6.1 live here, shared by the framer and `decodeMessage`.
 */
import { ErrorCode, HeaderSubcode, WireError } from './errors.js';
import {
  HEADER_LENGTH,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  type CodecContext,
} from './types.js';

/** Smallest legal length per type (RFC 4271 §4.2-4.4, RFC 2918 §3). Index = type. */
const MIN_LENGTH = [0, 29, 23, 21, 19, 23];

/** RFC 8654 §4: OPEN and KEEPALIVE never exceed 4096; other types may use 65535 once negotiated. */
export function maxMessageLength(ctx: CodecContext): number {
  return ctx.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
}

function lengthError(len: number): WireError {
  return new WireError(
    ErrorCode.MESSAGE_HEADER,
    HeaderSubcode.BAD_MESSAGE_LENGTH,
    `bad message length ${len}`,
    Uint8Array.of(len >>> 8, len & 0xff),
  );
}

/**
 * Validates the 19 header bytes at `b[off..]` (caller guarantees they exist) and returns the
 * message length. `maxLength` is 4096 or 65535 (extended message negotiated).
 */
export function checkHeader(b: Uint8Array, off: number, maxLength: number): number {
  for (let i = 0; i < 16; i++) {
    if (b[off + i] !== 0xff) {
      throw new WireError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.CONNECTION_NOT_SYNCHRONIZED, 'marker is not all ones');
    }
  }
  const len = (b[off + 16]! << 8) | b[off + 17]!;
  const type = b[off + 18]!;
  if (type < MessageType.OPEN || type > MessageType.ROUTE_REFRESH) {
    // RFC 4271 §6.1: a length error is detected before the type; check the generic bounds first.
    if (len < HEADER_LENGTH || len > maxLength) throw lengthError(len);
    throw new WireError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_TYPE, `bad message type ${type}`, Uint8Array.of(type));
  }
  const max = type === MessageType.OPEN || type === MessageType.KEEPALIVE ? MAX_MESSAGE_LENGTH : maxLength;
  if (len < MIN_LENGTH[type]! || len > max || (type === MessageType.KEEPALIVE && len !== HEADER_LENGTH)) {
    throw lengthError(len);
  }
  return len;
}

/** Writes marker, length and type at `b[off..off+19)`. */
export function writeHeader(b: Uint8Array, off: number, length: number, type: number): void {
  b.fill(0xff, off, off + 16);
  b[off + 16] = length >>> 8;
  b[off + 17] = length & 0xff;
  b[off + 18] = type;
}
