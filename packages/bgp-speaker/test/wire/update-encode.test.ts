import t from 'tap';
import { decodeUpdate } from '../../src/wire/update.js';
import { attributesLength, encodeAttributes, encodeUpdate, updateLength } from '../../src/wire/update-encode.js';
import { DEFAULT_CODEC_CONTEXT, familyKey, type CodecContext, type PathAttributes, type UpdateMessage } from '../../src/wire/types.js';
import { attr, cat, hex, ip4, pfx4, toHex, u16, u32, update } from './bytes.js';

const CTX4: CodecContext = { ...DEFAULT_CODEC_CONTEXT, fourOctetAs: true };
const CTX2: CodecContext = DEFAULT_CODEC_CONTEXT;
const ADDPATH: CodecContext = { ...CTX4, addPathSend: new Set([familyKey(1, 1)]) };
const prefix = (a: number, len: number) => ({ afi: 1 as const, addr: a, len });

const CALICO: PathAttributes = { origin: 0, asPath: [], nextHop: 0x0a000005, localPref: 100, originatorId: 0x0a000005, clusterList: [0xf4000001] };
const CALICO_BYTES = cat(attr(0x40, 1, [0]), attr(0x40, 2), attr(0x40, 3, ip4('10.0.0.5')), attr(0x40, 5, u32(100)), attr(0x80, 9, ip4('10.0.0.5')), attr(0x80, 10, ip4('244.0.0.1')));

const upd = (attributes: PathAttributes, nlri = [{ prefix: prefix(0xac100500, 24), pathId: 0 }], withdrawn: UpdateMessage['withdrawn'] = []): UpdateMessage => ({ type: 2, withdrawn, attributes, nlri });

t.test('RFC 4456 reflected Calico route: exact bytes', async (t) => {
  t.equal(toHex(encodeUpdate(upd(CALICO), CTX4)), toHex(update([], CALICO_BYTES, pfx4('172.16.5.0', 24))));
});

t.test('RFC 7911 §3 path identifier precedes each NLRI when sending ADD-PATH', async (t) => {
  const m = upd(CALICO, [{ prefix: prefix(0xac100505, 32), pathId: 3 }], [{ prefix: prefix(0x0a000000, 8), pathId: 4 }]);
  t.equal(toHex(encodeUpdate(m, ADDPATH)), toHex(update(pfx4('10.0.0.0', 8, 4), CALICO_BYTES, pfx4('172.16.5.5', 32, 3))));
});

t.test('encodeAttributes: shared bytes without MP attributes, predicted length', async (t) => {
  const a: PathAttributes = { ...CALICO, mpReach: { afi: 2, safi: 1, nextHop: new Uint8Array(16), nlri: [] } };
  t.equal(toHex(encodeAttributes(a, CTX4)), toHex(CALICO_BYTES));
  t.equal(attributesLength(CALICO, CTX4), CALICO_BYTES.length);
});

t.test('every attribute: exact bytes (RFC 4271 §4.3, RFC 1997, RFC 4360, RFC 8092, RFC 4456)', async (t) => {
  const a: PathAttributes = {
    origin: 1,
    asPath: [{ type: 2, asns: [65001, 4200000000] }, { type: 1, asns: [7] }],
    nextHop: 0xc0000201,
    med: 10,
    localPref: 200,
    atomicAggregate: true,
    aggregator: { asn: 65010, address: 0x01020304 },
    communities: [0xfde80064],
    originatorId: 1,
    clusterList: [2, 3],
    extCommunities: [Uint8Array.from(hex('0002fde800000064'))],
    largeCommunities: [[1, 2, 3]],
  };
  const want = cat(
    attr(0x40, 1, [1]),
    attr(0x40, 2, [2, 2], u32(65001), u32(4200000000), [1, 1], u32(7)),
    attr(0x40, 3, ip4('192.0.2.1')),
    attr(0x80, 4, u32(10)),
    attr(0x40, 5, u32(200)),
    attr(0x40, 6),
    attr(0xc0, 7, u32(65010), ip4('1.2.3.4')),
    attr(0xc0, 8, u32(0xfde80064)),
    attr(0x80, 9, u32(1)),
    attr(0x80, 10, u32(2), u32(3)),
    attr(0xc0, 16, hex('0002fde800000064')),
    attr(0xc0, 32, u32(1), u32(2), u32(3)),
  );
  t.equal(toHex(encodeAttributes(a, CTX4)), toHex(want));
});

t.test('RFC 6793 §4.2.2 on a 2-octet session: AS_TRANS in AS_PATH/AGGREGATOR plus AS4_PATH/AS4_AGGREGATOR', async (t) => {
  const a: PathAttributes = {
    origin: 0,
    asPath: [{ type: 3, asns: [64512] }, { type: 2, asns: [65001, 4200000000] }],
    nextHop: 1,
    aggregator: { asn: 4200000001, address: 0x01020304 },
  };
  const want = cat(
    attr(0x40, 1, [0]),
    attr(0x40, 2, [3, 1], u16(64512), [2, 2], u16(65001), u16(23456)),
    attr(0x40, 3, u32(1)),
    attr(0xc0, 7, u16(23456), ip4('1.2.3.4')),
    attr(0xc0, 17, [2, 2], u32(65001), u32(4200000000)), // no confederation segments (RFC 6793 §3)
    attr(0xc0, 18, u32(4200000001), ip4('1.2.3.4')),
  );
  t.equal(toHex(encodeAttributes(a, CTX2)), toHex(want));
  // ...and the receiving side reconstructs the 4-octet values.
  const d = decodeUpdate(encodeUpdate(upd(a), CTX2).subarray(19), CTX2);
  t.same(d.update.attributes.asPath, a.asPath);
  t.same(d.update.attributes.aggregator, a.aggregator);
});

t.test('2-octet session, all ASes small: no AS4 attributes', async (t) => {
  const a: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: 1, aggregator: { asn: 65010, address: 5 } };
  t.equal(toHex(encodeAttributes(a, CTX2)), toHex(cat(attr(0x40, 1, [0]), attr(0x40, 2, [2, 1], u16(65001)), attr(0x40, 3, u32(1)), attr(0xc0, 7, u16(65010), u32(5)))));
});

t.test('RFC 4271 §9.2.2.1 an AS_SEQUENCE over 255 ASes is split', async (t) => {
  const asns = Array.from({ length: 300 }, (_, i) => i + 1);
  const bytes = encodeAttributes({ asPath: [{ type: 2, asns }] }, CTX4);
  t.equal(toHex(bytes), toHex(attr(0x50, 2, [2, 255], ...asns.slice(0, 255).map(u32), [2, 45], ...asns.slice(255).map(u32))));
});

t.test('RFC 4271 §5 unknown optional transitive attributes are re-sent with the Partial bit', async (t) => {
  const a: PathAttributes = { unknown: [{ flags: 0xc0, code: 99, value: Uint8Array.of(1, 2) }, { flags: 0xd0, code: 98, value: new Uint8Array(300) }] };
  t.equal(toHex(encodeAttributes(a, CTX4)), toHex(cat(attr(0xe0, 99, [1, 2]), attr(0xf0, 98, new Uint8Array(300)))));
});

t.test('RFC 4760 MP_REACH_NLRI and MP_UNREACH_NLRI come first', async (t) => {
  const nh = Uint8Array.from(hex('fd000000000000000000000000000001'));
  const m = upd({ origin: 0, asPath: [], mpReach: { afi: 2, safi: 1, nextHop: nh, nlri: [{ prefix: { afi: 2, addr: Uint8Array.from(hex('fd000000000000010000000000000000')), len: 64 }, pathId: 0 }] } }, []);
  const want = update([], cat(attr(0x80, 14, u16(2), [1, 16], nh, [0], [64], hex('fd00000000000001')), attr(0x40, 1, [0]), attr(0x40, 2)), []);
  t.equal(toHex(encodeUpdate(m, CTX4)), toHex(want));
  t.equal(updateLength(m, CTX4), want.length);
});

t.test('an UPDATE too big for the session is refused (RangeError), not truncated', async (t) => {
  const nlri = Array.from({ length: 1100 }, (_, i) => ({ prefix: prefix(i << 8, 24), pathId: 0 }));
  t.throws(() => encodeUpdate(upd(CALICO, nlri), CTX4), RangeError);
  t.equal(encodeUpdate(upd(CALICO, nlri), { ...CTX4, extendedMessage: true }).length, 23 + CALICO_BYTES.length + 4400);
});
