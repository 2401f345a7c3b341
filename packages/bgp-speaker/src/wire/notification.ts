/**
 * NOTIFICATION (RFC 4271 §4.5): Error code (1) | Error subcode (1) | Data.
 * Shutdown Communication (RFC 8203, updated by RFC 9003): for Cease / Administrative
 * Shutdown (6/2) and Administrative Reset (6/4) the data is a length octet then that
 * many octets of UTF-8 text, at most 255.
 */
import { ErrorCode, CeaseSubcode, type WireError } from './errors.js';
import { writeHeader } from './header.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType, type NotificationMessage } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8enc = new TextEncoder();
export const MAX_SHUTDOWN_MESSAGE_BYTES = 255;

export function decodeNotification(b: Uint8Array, start: number, end: number): NotificationMessage {
  // The framer guarantees 2 bytes (minimum length 21); stay safe on direct calls.
  return {
    type: MessageType.NOTIFICATION,
    code: start < end ? b[start]! : 0,
    subcode: start + 1 < end ? b[start + 1]! : 0,
    data: b.slice(Math.min(start + 2, end), end),
  };
}

/**
 * Encodes a NOTIFICATION. Data that would make it longer than 4096 bytes (e.g. a whole
 * oversized attribute or ROUTE-REFRESH as error data on an extended-message session) is
 * truncated so the message is always acceptable to the peer (RFC 8654 §5).
 */
export function encodeNotification(n: NotificationMessage): Uint8Array {
  const data = n.data.length > MAX_MESSAGE_LENGTH - HEADER_LENGTH - 2 ? n.data.subarray(0, MAX_MESSAGE_LENGTH - HEADER_LENGTH - 2) : n.data;
  const total = HEADER_LENGTH + 2 + data.length;
  const b = new Uint8Array(total);
  writeHeader(b, 0, total, MessageType.NOTIFICATION);
  b[HEADER_LENGTH] = n.code;
  b[HEADER_LENGTH + 1] = n.subcode;
  b.set(data, HEADER_LENGTH + 2);
  return b;
}

/** The NOTIFICATION a WireError asks for (RFC 4271 §6). */
export function notificationFromError(e: WireError): NotificationMessage {
  return { type: MessageType.NOTIFICATION, code: e.code, subcode: e.subcode, data: e.data };
}

/** UTF-8 bytes of `text` cut to at most `max` bytes on a character boundary. */
function utf8Truncate(text: string, max: number): Uint8Array {
  const all = utf8enc.encode(text);
  if (all.length <= max) return all;
  let end = max;
  while (end > 0 && (all[end]! & 0xc0) === 0x80) end--; // do not split a multi-byte sequence
  return all.slice(0, end);
}

/** RFC 9003 §2: Cease 6/2 or 6/4 with a Shutdown Communication (truncated to 255 bytes). */
export function encodeShutdownNotification(subcode: number, message: string): NotificationMessage {
  if (subcode !== CeaseSubcode.ADMIN_SHUTDOWN && subcode !== CeaseSubcode.ADMIN_RESET) {
    throw new RangeError('shutdown communication is only for Cease subcodes 2 and 4');
  }
  const text = utf8Truncate(message, MAX_SHUTDOWN_MESSAGE_BYTES);
  const data = new Uint8Array(1 + text.length);
  data[0] = text.length;
  data.set(text, 1);
  return { type: MessageType.NOTIFICATION, code: ErrorCode.CEASE, subcode, data };
}

/**
 * The Shutdown Communication of a Cease 6/2 or 6/4, or null when there is none or it is
 * malformed (RFC 9003 §2: bad length or invalid UTF-8 is logged, never an error).
 */
export function decodeShutdownMessage(n: NotificationMessage): string | null {
  if (n.code !== ErrorCode.CEASE) return null;
  if (n.subcode !== CeaseSubcode.ADMIN_SHUTDOWN && n.subcode !== CeaseSubcode.ADMIN_RESET) return null;
  if (n.data.length === 0) return null;
  const len = n.data[0]!;
  if (len === 0 || 1 + len > n.data.length) return null;
  try {
    return utf8.decode(n.data.subarray(1, 1 + len));
  } catch {
    return null;
  }
}
