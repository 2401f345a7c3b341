import t from 'tap';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { decodeShutdownMessage, encodeShutdownNotification, notificationFromError } from '../../src/wire/notification.js';
import { WireError } from '../../src/wire/errors.js';
import { DEFAULT_CODEC_CONTEXT, type NotificationMessage } from '../../src/wire/types.js';
import { msg, toHex } from './bytes.js';

const CTX = DEFAULT_CODEC_CONTEXT;
const utf8 = (s: string) => Array.from(Buffer.from(s, 'utf8'));

t.test('RFC 4271 §4.5 NOTIFICATION code, subcode, data', async (t) => {
  const b = msg(3, [2, 2], [0xfd, 0xe8]);
  const n = decodeMessage(b, CTX).message as NotificationMessage;
  t.same([n.code, n.subcode, toHex(n.data)], [2, 2, 'fde8']);
  t.equal(toHex(encodeMessage(n, CTX)), toHex(b));
  t.same(decodeMessage(msg(3, [6, 0]), CTX).message, { type: 3, code: 6, subcode: 0, data: new Uint8Array(0) });
});

t.test('RFC 9003 §2 shutdown communication: length octet + UTF-8', async (t) => {
  const n = encodeShutdownNotification(2, 'maintenance ⚙');
  t.equal(toHex(encodeMessage(n, CTX)), toHex(msg(3, [6, 2], [utf8('maintenance ⚙').length], utf8('maintenance ⚙'))));
  t.equal(decodeShutdownMessage(decodeMessage(encodeMessage(n, CTX), CTX).message as NotificationMessage), 'maintenance ⚙');
  t.equal(decodeShutdownMessage(encodeShutdownNotification(4, 'reset')), 'reset', 'Administrative Reset too');
});

t.test('RFC 9003 §2 up to 255 bytes, cut on a character boundary', async (t) => {
  const long = 'é'.repeat(200); // 400 bytes of UTF-8
  const n = encodeShutdownNotification(2, long);
  t.equal(n.data[0], 254, '127 two-byte characters');
  t.equal(decodeShutdownMessage(n), 'é'.repeat(127));
  t.equal(encodeShutdownNotification(2, 'x'.repeat(300)).data[0], 255);
});

t.test('RFC 9003 §2 malformed or absent communication is not an error', async (t) => {
  const n = (code: number, subcode: number, data: number[]): NotificationMessage => ({ type: 3, code, subcode, data: Uint8Array.from(data) });
  t.equal(decodeShutdownMessage(n(6, 2, [])), null);
  t.equal(decodeShutdownMessage(n(6, 2, [5, 65])), null, 'length past the data');
  t.equal(decodeShutdownMessage(n(6, 2, [2, 0xc3, 0x28])), null, 'invalid UTF-8');
  t.equal(decodeShutdownMessage(n(6, 3, [1, 65])), null, 'only subcodes 2 and 4');
  t.equal(decodeShutdownMessage(n(3, 2, [1, 65])), null);
  t.throws(() => encodeShutdownNotification(3, 'x'), RangeError);
});

t.test('a WireError becomes its NOTIFICATION', async (t) => {
  const e = new WireError(1, 2, 'bad length', Uint8Array.of(0, 18));
  t.equal(toHex(encodeMessage(notificationFromError(e), CTX)), toHex(msg(3, [1, 2, 0, 18])));
});

t.test('RFC 8654 §5 NOTIFICATION data is truncated to fit 4096 bytes', async (t) => {
  const e = new WireError(3, 5, 'huge attribute', new Uint8Array(10000).fill(7));
  const b = encodeMessage(notificationFromError(e), CTX);
  t.equal(b.length, 4096);
  t.same(Array.from(b.subarray(16, 21)), [0x10, 0x00, 3, 3, 5]);
});
