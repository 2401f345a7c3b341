import t from 'tap';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { DEFAULT_CODEC_CONTEXT, type RouteRefreshMessage } from '../../src/wire/types.js';
import { routeRefreshSubtypeName, ROUTE_REFRESH_SUBTYPE } from '../../src/wire/route-refresh.js';
import { wireError } from './catch.js';
import { msg, toHex, u16 } from './bytes.js';

const CTX = DEFAULT_CODEC_CONTEXT;

t.test('RFC 2918 §3 / RFC 7313 §3 ROUTE-REFRESH request, BoRR, EoRR', async (t) => {
  for (const subtype of [0, 1, 2]) {
    const b = msg(5, u16(2), [subtype, 1]);
    const m = decodeMessage(b, CTX).message as RouteRefreshMessage;
    t.same(m, { type: 5, afi: 2, subtype, safi: 1 });
    t.equal(toHex(encodeMessage(m, CTX)), toHex(b));
  }
});

t.test('RFC 7313 §5 BoRR/EoRR of the wrong length: 7/1, data = the whole message', async (t) => {
  const b = msg(5, u16(1), [1, 1], [0]);
  t.same(wireError(() => decodeMessage(b, CTX)), { code: 7, subcode: 1, data: toHex(b), severity: 3 });
});

t.test('RFC 7313 §5 unknown subtype decoded (the session ignores it); longer request (ORF) tolerated', async (t) => {
  t.equal((decodeMessage(msg(5, u16(1), [9, 1]), CTX).message as RouteRefreshMessage).subtype, 9);
  t.equal((decodeMessage(msg(5, u16(1), [0, 1], [1, 2, 3]), CTX).message as RouteRefreshMessage).subtype, 0);
});

t.test('subtype names: request/borr/eorr ↔ 0/1/2; any other value has none (RFC 7313 §5: ignored)', async (t) => {
  t.same([0, 1, 2].map(routeRefreshSubtypeName), ['request', 'borr', 'eorr']);
  t.same([3, 9, 255].map(routeRefreshSubtypeName), [null, null, null]);
  t.same(ROUTE_REFRESH_SUBTYPE, { request: 0, borr: 1, eorr: 2 });
});
