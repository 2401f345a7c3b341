/**
 * ROUTE-REFRESH (RFC 2918 §3, RFC 7313 §3): AFI (2) | Message Subtype (1) | SAFI (1).
 * Subtype 0 = request, 1 = BoRR, 2 = EoRR (enhanced route refresh). Unknown subtypes are
 * decoded and left for the session to ignore (RFC 7313 §5).
 */
import { read16, write16 } from './bytes.js';
import { ErrorCode, HeaderSubcode, RouteRefreshSubcode, WireError } from './errors.js';
import { writeHeader } from './header.js';
import { HEADER_LENGTH, MessageType, RouteRefreshSubtype, type RouteRefreshMessage } from './types.js';

export const ROUTE_REFRESH_LENGTH = HEADER_LENGTH + 4;

/**
 * The Message Subtypes by name: 'request' (0, the RFC 2918 §3 request), 'borr' and
 * 'eorr' (1 and 2, RFC 7313 §3 Beginning and End of Route Refresh).
 */
export type RouteRefreshSubtypeName = 'request' | 'borr' | 'eorr';

export const ROUTE_REFRESH_SUBTYPE: Readonly<Record<RouteRefreshSubtypeName, number>> = {
  request: RouteRefreshSubtype.REQUEST,
  borr: RouteRefreshSubtype.BORR,
  eorr: RouteRefreshSubtype.EORR,
};

/** The name of a subtype; null for any other value (RFC 7313 §5: the receiver ignores the message). */
export function routeRefreshSubtypeName(subtype: number): RouteRefreshSubtypeName | null {
  switch (subtype) {
    case RouteRefreshSubtype.REQUEST:
      return 'request';
    case RouteRefreshSubtype.BORR:
      return 'borr';
    case RouteRefreshSubtype.EORR:
      return 'eorr';
    default:
      return null;
  }
}

/** Decodes the body `b[start..end)` of the whole message `b[frameStart..end)`. */
export function decodeRouteRefresh(b: Uint8Array, frameStart: number, start: number, end: number): RouteRefreshMessage {
  const len = end - frameStart;
  const subtype = end - start >= 3 ? b[start + 2]! : 0;
  if (len !== ROUTE_REFRESH_LENGTH) {
    if (subtype === RouteRefreshSubtype.BORR || subtype === RouteRefreshSubtype.EORR) {
      // RFC 7313 §5: BoRR/EoRR of the wrong length: 7/1, data = the whole message.
      throw new WireError(ErrorCode.ROUTE_REFRESH, RouteRefreshSubcode.INVALID_MESSAGE_LENGTH, `ROUTE-REFRESH length ${len}`, b.slice(frameStart, end));
    }
    if (len < ROUTE_REFRESH_LENGTH) {
      throw new WireError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, `ROUTE-REFRESH length ${len}`, Uint8Array.of(len >>> 8, len & 0xff));
    }
    // Longer subtype-0 messages carry ORF entries (RFC 5291), which we do not use: ignored.
  }
  return { type: MessageType.ROUTE_REFRESH, afi: read16(b, start), subtype, safi: b[start + 3]! };
}

export function encodeRouteRefresh(m: RouteRefreshMessage): Uint8Array {
  const b = new Uint8Array(ROUTE_REFRESH_LENGTH);
  writeHeader(b, 0, ROUTE_REFRESH_LENGTH, MessageType.ROUTE_REFRESH);
  write16(b, HEADER_LENGTH, m.afi);
  b[HEADER_LENGTH + 2] = m.subtype;
  b[HEADER_LENGTH + 3] = m.safi;
  return b;
}
