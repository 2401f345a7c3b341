import t from 'tap';
import { decodeMessage, encodeMessage, KEEPALIVE_BYTES } from '../../src/wire/message.js';
import { DEFAULT_CODEC_CONTEXT } from '../../src/wire/types.js';
import { wireError } from './catch.js';
import { MARKER, cat, msg, toHex, u16 } from './bytes.js';

const CTX = DEFAULT_CODEC_CONTEXT;

t.test('RFC 4271 §4.4 KEEPALIVE is the bare header', async (t) => {
  t.equal(toHex(KEEPALIVE_BYTES), toHex(msg(4)));
  t.same(decodeMessage(msg(4), CTX).message, { type: 4 });
  t.equal(toHex(encodeMessage({ type: 4 }, CTX)), toHex(msg(4)));
});

t.test('decodeMessage re-checks the header of unframed input (RFC 4271 §6.1)', async (t) => {
  t.same(wireError(() => decodeMessage(cat(MARKER, u16(19)), CTX)), { code: 1, subcode: 2, data: '0012', severity: 3 }, 'shorter than a header');
  t.same(wireError(() => decodeMessage(cat(MARKER, u16(23), [4]), CTX)).subcode, 2, 'length field disagrees');
  t.same(wireError(() => decodeMessage(cat(msg(4), [0]), CTX)), { code: 1, subcode: 2, data: '0013', severity: 3 }, 'bytes beyond the length');
  t.same(wireError(() => decodeMessage(cat(MARKER, u16(19), [7]), CTX)), { code: 1, subcode: 3, data: '07', severity: 3 });
  const m = msg(4);
  m[0] = 0;
  t.same(wireError(() => decodeMessage(m, CTX)).subcode, 1);
});

t.test('UPDATE decode reports the RFC 7606 outcome alongside the message', async (t) => {
  const d = decodeMessage(msg(2, u16(0), u16(0)), CTX);
  t.equal(d.message.type, 2);
  t.same(d.update?.endOfRib, { afi: 1, safi: 1 });
});
