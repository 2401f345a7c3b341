import t from 'tap';
import { decodeMessage } from '../../src/wire/message.js';
import { encodeEndOfRib, packUpdates, packWithdrawals } from '../../src/wire/pack.js';
import { encodeAttributes } from '../../src/wire/update-encode.js';
import { DEFAULT_CODEC_CONTEXT, IPV4_UNICAST, IPV6_UNICAST, familyKey, type CodecContext, type Nlri, type UpdateMessage } from '../../src/wire/types.js';
import type { TapTest } from './catch.js';
import { attr, cat, hex, ip4, msg, pfx4, pfx6, toHex, u16, u32, update } from './bytes.js';

const CTX: CodecContext = { ...DEFAULT_CODEC_CONTEXT, fourOctetAs: true };
const ADDPATH: CodecContext = { ...CTX, addPathSend: new Set([familyKey(1, 1), familyKey(2, 1)]), addPathReceive: new Set([familyKey(1, 1), familyKey(2, 1)]) };
const EXT: CodecContext = { ...CTX, extendedMessage: true };
const ATTRS = encodeAttributes({ origin: 0, asPath: [], nextHop: 0x0a000005, localPref: 100 }, CTX);
const ATTR_BYTES = cat(attr(0x40, 1, [0]), attr(0x40, 2), attr(0x40, 3, ip4('10.0.0.5')), attr(0x40, 5, u32(100)));
const v4 = (i: number, len = 24): Nlri => ({ prefix: { afi: 1, addr: (0xac100000 + (i << 8)) >>> 0, len }, pathId: i + 1 });
const v6 = (i: number): Nlri => {
  const addr = new Uint8Array(16);
  addr[0] = 0xfd;
  addr[6] = i >> 8;
  addr[7] = i & 0xff;
  return { prefix: { afi: 2, addr, len: 64 }, pathId: i + 1 };
};
const NH6 = Uint8Array.from(hex('fd000000000000000000000000000001'));

t.test('IPv4: exact bytes of a packed UPDATE', async (t) => {
  const [m, ...rest] = packUpdates(IPV4_UNICAST, ATTRS, [v4(5), v4(6)], CTX);
  t.equal(rest.length, 0);
  t.equal(toHex(m!), toHex(update([], ATTR_BYTES, cat(pfx4('172.16.5.0', 24), pfx4('172.16.6.0', 24)))));
  const [a] = packUpdates(IPV4_UNICAST, ATTRS, [v4(5)], ADDPATH);
  t.equal(toHex(a!), toHex(update([], ATTR_BYTES, pfx4('172.16.5.0', 24, 6))), 'RFC 7911 path id');
});

function checkPacking(t: TapTest, msgs: Uint8Array[], ctx: CodecContext, max: number, all: Nlri[], perNlri: number, mp: boolean): void {
  const got: Nlri[] = [];
  for (const m of msgs) {
    t.ok(m.length <= max, `message of ${m.length} within ${max}`);
    const u = decodeMessage(m, { ...ctx, addPathReceive: ctx.addPathSend });
    t.equal(u.update!.action, 'none');
    const mu = u.message as UpdateMessage;
    got.push(...(mp ? mu.attributes.mpReach!.nlri : mu.nlri));
  }
  t.equal(got.length, all.length);
  t.same(got.map((n) => n.pathId), all.map((n) => (ctx.addPathSend.size ? n.pathId : 0)), 'order kept');
  for (const m of msgs.slice(0, -1)) t.ok(m.length + perNlri > max, 'each full message has no room for one more NLRI');
}

t.test('IPv4: 3000 prefixes packed to the 4096-byte limit', async (t) => {
  const all = Array.from({ length: 3000 }, (_, i) => v4(i));
  const msgs = packUpdates(IPV4_UNICAST, ATTRS, all, CTX);
  t.equal(msgs.length, Math.ceil(3000 / Math.floor((4096 - 23 - ATTR_BYTES.length) / 4)));
  checkPacking(t, msgs, CTX, 4096, all, 4, false);
  const ap = packUpdates(IPV4_UNICAST, ATTRS, all, ADDPATH);
  checkPacking(t, ap, ADDPATH, 4096, all, 8, false);
});

t.test('RFC 8654: 65535-byte UPDATEs once extended message is negotiated', async (t) => {
  const all = Array.from({ length: 20000 }, (_, i) => v4(i % 4096, 24 + (i % 9)));
  const msgs = packUpdates(IPV4_UNICAST, ATTRS, all, EXT);
  t.ok(msgs[0]!.length > 60000);
  checkPacking(t, msgs, EXT, 65535, all, 5, false);
  t.ok(packUpdates(IPV4_UNICAST, ATTRS, all, EXT, 1000).every((m) => m.length <= 1000), 'explicit maxLength');
});

t.test('IPv6: NLRI in MP_REACH_NLRI in front of the shared attributes', async (t) => {
  const [m] = packUpdates(IPV6_UNICAST, ATTRS, [v6(1)], CTX, { nextHop: NH6 });
  t.equal(toHex(m!), toHex(update([], cat(attr(0x90, 14, u16(2), [1, 16], NH6, [0], pfx6('fd000000000000010000000000000000', 64)), ATTR_BYTES), [])));
  const all = Array.from({ length: 1500 }, (_, i) => v6(i));
  checkPacking(t, packUpdates(IPV6_UNICAST, ATTRS, all, ADDPATH, { nextHop: NH6 }), ADDPATH, 4096, all, 13, true);
  checkPacking(t, packUpdates(IPV6_UNICAST, ATTRS, all, EXT, { nextHop: NH6 }), EXT, 65535, all, 9, true);
  t.throws(() => packUpdates(IPV6_UNICAST, ATTRS, all, CTX), RangeError, 'a next hop is required');
});

t.test('withdrawals: classic field for IPv4, MP_UNREACH_NLRI for IPv6', async (t) => {
  t.equal(toHex(packWithdrawals(IPV4_UNICAST, [v4(5)], CTX)[0]!), toHex(update(pfx4('172.16.5.0', 24), [], [])));
  t.equal(toHex(packWithdrawals(IPV4_UNICAST, [v4(5)], ADDPATH)[0]!), toHex(update(pfx4('172.16.5.0', 24, 6), [], [])));
  t.equal(toHex(packWithdrawals(IPV6_UNICAST, [v6(1)], CTX)[0]!), toHex(update([], attr(0x90, 15, u16(2), [1], pfx6('fd000000000000010000000000000000', 64)), [])));
  const all = Array.from({ length: 3000 }, (_, i) => v4(i));
  const msgs = packWithdrawals(IPV4_UNICAST, all, CTX);
  let n = 0;
  for (const m of msgs) {
    t.ok(m.length <= 4096);
    n += (decodeMessage(m, CTX).message as UpdateMessage).withdrawn.length;
  }
  t.equal(n, 3000);
  const w6 = packWithdrawals(IPV6_UNICAST, Array.from({ length: 1000 }, (_, i) => v6(i)), CTX);
  t.equal(w6.reduce((k, m) => k + (decodeMessage(m, CTX).message as UpdateMessage).attributes.mpUnreach!.withdrawn.length, 0), 1000);
});

t.test('RFC 4724 §2 End-of-RIB bytes', async (t) => {
  t.equal(toHex(encodeEndOfRib(IPV4_UNICAST)), toHex(msg(2, '0000 0000')));
  t.equal(toHex(encodeEndOfRib(IPV6_UNICAST)), toHex(msg(2, u16(0), u16(6), attr(0x80, 15, u16(2), [1]))));
  t.same(decodeMessage(encodeEndOfRib(IPV6_UNICAST), CTX).update!.endOfRib, IPV6_UNICAST);
});

t.test('empty NLRI list: no messages', async (t) => {
  t.same(packUpdates(IPV4_UNICAST, ATTRS, [], CTX), []);
  t.same(packWithdrawals(IPV6_UNICAST, [], CTX), []);
});
