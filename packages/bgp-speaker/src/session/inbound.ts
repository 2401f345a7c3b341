/**
 * Inbound messages: which types each state expects (RFC 4271 §8.2.2, RFC 6608) and the
 * decoding of one framed message into a typed callback. Decoders throw only WireError,
 * which is handed to `error` with the FSM event it maps to.
 */
import { WireError } from '../wire/errors.js';
import { decodeNotification } from '../wire/notification.js';
import { decodeOpen } from '../wire/open.js';
import { decodeRouteRefresh } from '../wire/route-refresh.js';
import { decodeUpdateAt, type DecodedUpdate } from '../wire/update.js';
import { HEADER_LENGTH, MessageType, type CodecContext, type Family, type NotificationMessage, type OpenMessage } from '../wire/types.js';
import { State, type FsmEvent } from '../fsm/state.js';
import { ERROR_EVENT, type ErrorEventType } from './messages.js';

export interface InboundHandlers {
  update(d: DecodedUpdate): void;
  keepalive(): void;
  open(o: OpenMessage): void;
  notification(n: NotificationMessage): void;
  routeRefresh(family: Family, subtype: number): void;
  error(event: ErrorEventType, e: WireError): void;
}

/** Whether a connection in state `st` may receive a message of this type. */
export function expectedInState(st: State, type: number): boolean {
  switch (type) {
    case MessageType.NOTIFICATION:
      return true;
    case MessageType.OPEN:
      return st === State.OpenSent;
    case MessageType.KEEPALIVE:
      return st === State.OpenConfirm || st === State.Established;
    case MessageType.UPDATE:
    case MessageType.ROUTE_REFRESH:
      return st === State.Established;
    default:
      return true; // the framer refused unknown types (1/3)
  }
}

/** The FSM event for a message that arrived in a state that does not expect it. */
export function unexpectedEvent(type: number): FsmEvent {
  switch (type) {
    case MessageType.OPEN:
      return { type: 'BGPOpen', holdTime: 0, keepaliveTime: 0 };
    case MessageType.KEEPALIVE:
      return { type: 'KeepAliveMsg' };
    case MessageType.UPDATE:
      return { type: 'UpdateMsg' };
    default:
      return { type: 'RouteRefreshMsg' };
  }
}

/** Decodes one framed message (header already checked by the Framer) and calls its handler. */
export function decodeInbound(m: Uint8Array, codec: CodecContext, h: InboundHandlers): void {
  const type = m[18]!;
  const end = m.length;
  let call: () => void;
  try {
    switch (type) {
      case MessageType.UPDATE: {
        const d = decodeUpdateAt(m, HEADER_LENGTH, end, codec);
        call = () => h.update(d);
        break;
      }
      case MessageType.KEEPALIVE:
        call = () => h.keepalive();
        break;
      case MessageType.OPEN: {
        const o = decodeOpen(m, HEADER_LENGTH, end);
        call = () => h.open(o);
        break;
      }
      case MessageType.NOTIFICATION: {
        const n = decodeNotification(m, HEADER_LENGTH, end);
        call = () => h.notification(n);
        break;
      }
      default: {
        const rr = decodeRouteRefresh(m, 0, HEADER_LENGTH, end);
        call = () => h.routeRefresh({ afi: rr.afi as Family['afi'], safi: rr.safi }, rr.subtype);
      }
    }
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    return h.error(ERROR_EVENT[type] ?? 'BGPHeaderErr', err);
  }
  // Outside the try: an exception from a handler (an observer bug) is not a peer's error.
  call();
}
