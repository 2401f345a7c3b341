/**
 * Whole messages: `decodeMessage` takes one framed message (header included) and returns
 * the typed message; `encodeMessage` is its inverse. Header checks are repeated here so
 * the decoder is safe on any bytes, framed or not.
 */
import { ErrorCode, HeaderSubcode, WireError } from './errors.js';
import { checkHeader, maxMessageLength, writeHeader } from './header.js';
import { decodeNotification, encodeNotification } from './notification.js';
import { decodeOpen, encodeOpen } from './open.js';
import { decodeRouteRefresh, encodeRouteRefresh } from './route-refresh.js';
import { encodeUpdate } from './update-encode.js';
import { decodeUpdateAt, type DecodedUpdate } from './update.js';
import { HEADER_LENGTH, MessageType, type CodecContext, type KeepaliveMessage, type Message } from './types.js';

export interface DecodedMessage {
  readonly message: Message;
  /** For UPDATE: the RFC 7606 outcome (action, non-fatal errors, End-of-RIB). */
  readonly update?: DecodedUpdate;
}

/** RFC 4271 §4.4: a KEEPALIVE is the bare header. Shared, never modify. */
export const KEEPALIVE_BYTES: Uint8Array = (() => {
  const b = new Uint8Array(HEADER_LENGTH);
  writeHeader(b, 0, HEADER_LENGTH, MessageType.KEEPALIVE);
  return b;
})();

const KEEPALIVE: KeepaliveMessage = Object.freeze({ type: MessageType.KEEPALIVE });

export function decodeMessage(frame: Uint8Array, ctx: CodecContext): DecodedMessage {
  if (frame.length < HEADER_LENGTH) {
    throw new WireError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, `message of ${frame.length} bytes is shorter than a header`, Uint8Array.of(frame.length >>> 8, frame.length & 0xff));
  }
  const len = checkHeader(frame, 0, maxMessageLength(ctx));
  if (len !== frame.length) {
    throw new WireError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, `length field ${len} but ${frame.length} bytes`, Uint8Array.of(len >>> 8, len & 0xff));
  }
  switch (frame[18]!) {
    case MessageType.UPDATE: {
      const update = decodeUpdateAt(frame, HEADER_LENGTH, len, ctx);
      return { message: update.update, update };
    }
    case MessageType.KEEPALIVE:
      return { message: KEEPALIVE };
    case MessageType.OPEN:
      return { message: decodeOpen(frame, HEADER_LENGTH, len) };
    case MessageType.NOTIFICATION:
      return { message: decodeNotification(frame, HEADER_LENGTH, len) };
    default:
      return { message: decodeRouteRefresh(frame, 0, HEADER_LENGTH, len) };
  }
}

/** Encodes any message; UPDATEs must fit the negotiated size (else RangeError: use packUpdates). */
export function encodeMessage(msg: Message, ctx: CodecContext): Uint8Array {
  switch (msg.type) {
    case MessageType.UPDATE:
      return encodeUpdate(msg, ctx);
    case MessageType.KEEPALIVE:
      return KEEPALIVE_BYTES.slice();
    case MessageType.OPEN:
      return encodeOpen(msg);
    case MessageType.NOTIFICATION:
      return encodeNotification(msg);
    case MessageType.ROUTE_REFRESH:
      return encodeRouteRefresh(msg);
  }
}
