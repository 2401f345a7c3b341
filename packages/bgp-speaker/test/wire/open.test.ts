import t from 'tap';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { DEFAULT_CODEC_CONTEXT, type Capability, type OpenMessage } from '../../src/wire/types.js';
import { wireError } from './catch.js';
import { cat, hex, ip4, msg, toHex, u16, u32 } from './bytes.js';

const CTX = DEFAULT_CODEC_CONTEXT;
const cap = (code: number, ...value: number[][]): number[] => {
  const v = value.flat();
  return [code, v.length, ...v];
};
/** An OPEN with one capabilities parameter. */
const open = (myAs: number, hold: number, id: string, caps: number[][], version = 4): Uint8Array => {
  const c = caps.flat();
  const params = c.length ? [2, c.length, ...c] : [];
  return msg(1, [version], u16(myAs), u16(hold), ip4(id), [params.length], params);
};
const decodeOpen = (b: Uint8Array) => decodeMessage(b, CTX).message as OpenMessage;

// BIRD as calico/node configures it: MP IPv4, RR, ERR, GR 120s, 4-octet AS, ADD-PATH both, LLGR, FQDN.
const CALICO_CAPS: [string, number[], Capability][] = [
  ['RFC 4760 multiprotocol IPv4 unicast', cap(1, u16(1), [0, 1]), { code: 1, afi: 1, safi: 1 }],
  ['RFC 2918 route refresh', cap(2), { code: 2 }],
  ['RFC 7313 enhanced route refresh', cap(70), { code: 70 }],
  ['RFC 8654 extended message', cap(6), { code: 6 }],
  ['RFC 4724 graceful restart: R bit, 120 s, F bit', cap(64, u16(0x8000 | 120), u16(1), [1, 0x80]), { code: 64, restarting: true, notification: false, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] }],
  ['RFC 8538 graceful restart N bit, no families', cap(64, u16(0x4000 | 4095)), { code: 64, restarting: false, notification: true, restartTime: 4095, families: [] }],
  ['RFC 6793 4-octet AS', cap(65, u32(4200000000)), { code: 65, asn: 4200000000 }],
  ['RFC 7911 ADD-PATH per family and direction', cap(69, u16(1), [1, 3], u16(2), [1, 1]), { code: 69, families: [{ afi: 1, safi: 1, mode: 3 }, { afi: 2, safi: 1, mode: 1 }] }],
  ['RFC 9494 long-lived GR', cap(71, u16(1), [1, 0x80], [0, 1, 0]), { code: 71, families: [{ afi: 1, safi: 1, forwardingPreserved: true, staleTime: 256 }] }],
  ['FQDN hostname', cap(73, [6], Array.from(Buffer.from('node-1')), [9], Array.from(Buffer.from('local.dom'))), { code: 73, hostname: 'node-1', domain: 'local.dom' }],
  ['unknown capability kept raw', cap(200, [1, 2, 3]), { code: 200, raw: Uint8Array.of(1, 2, 3), unknown: true }],
];

t.test('RFC 5492 each capability: hand-built bytes decode, and encode back to them', async (t) => {
  for (const [name, bytes, want] of CALICO_CAPS) {
    const b = open(64512, 240, '10.0.0.5', [bytes]);
    const o = decodeOpen(b);
    t.same(o.capabilities, [want], name);
    t.equal(toHex(encodeMessage(o, CTX)), toHex(b), `${name}: re-encoded`);
  }
});

t.test('RFC 4271 §4.2 OPEN fields', async (t) => {
  const o = decodeOpen(open(23456, 90, '192.0.2.7', CALICO_CAPS.map((c) => c[1])));
  t.same([o.version, o.myAs, o.holdTime, o.bgpId], [4, 23456, 90, 0xc0000207]);
  t.equal(o.capabilities.length, CALICO_CAPS.length);
});

t.test('RFC 5492 §4 capabilities split across several parameters', async (t) => {
  const b = msg(1, [4], u16(65000), u16(0), ip4('1.1.1.1'), [12], [2, 4], cap(2), cap(70), [2, 4], cap(6), cap(128));
  t.same(decodeOpen(b).capabilities.map((c) => c.code), [2, 70, 6, 128]);
});

t.test('RFC 9072 extended optional parameters length', async (t) => {
  const c = cap(65, u32(65000));
  const b = msg(1, [4], u16(65000), u16(90), ip4('1.1.1.1'), [255, 255], u16(3 + c.length), [2], u16(c.length), c);
  t.same(decodeOpen(b).capabilities, [{ code: 65, asn: 65000 }]);
  // Parameters over 255 bytes are encoded that way.
  const many: Capability[] = Array.from({ length: 70 }, (_, i) => ({ code: 1, afi: 1, safi: i }));
  const e = encodeMessage({ type: 1, version: 4, myAs: 1, holdTime: 90, bgpId: 1, capabilities: many }, CTX);
  t.same(Array.from(e.subarray(28, 32)), [255, 255, 0x01, 0xa7], 'RFC 9072 marker 255, type 255, length 3 + 70 * 6 = 423');
  t.same(decodeOpen(e).capabilities, many);
});

t.test('RFC 4271 §6.2 OPEN errors from the codec', async (t) => {
  t.same(wireError(() => decodeOpen(open(1, 90, '1.1.1.1', [], 3))), { code: 2, subcode: 1, data: '0004', severity: 3 }, 'version: data = supported version');
  t.same(wireError(() => decodeOpen(open(1, 1, '1.1.1.1', []))).subcode, 6, 'hold time 1');
  t.same(wireError(() => decodeOpen(open(1, 2, '1.1.1.1', []))).subcode, 6, 'hold time 2');
  t.equal(decodeOpen(open(1, 0, '1.1.1.1', [])).holdTime, 0, 'hold time 0 is allowed');
  t.equal(decodeOpen(open(1, 3, '1.1.1.1', [])).holdTime, 3);
  const cases: [string, Uint8Array][] = [
    ['parameter length past the end', msg(1, [4], u16(1), u16(90), ip4('1.1.1.1'), [4], [2, 9, 1, 0])],
    ['opt parm len short of the message', msg(1, [4], u16(1), u16(90), ip4('1.1.1.1'), [0], [2, 0])],
    ['capability overruns its parameter', msg(1, [4], u16(1), u16(90), ip4('1.1.1.1'), [4], [2, 2, 65, 4])],
    ['4-octet AS capability of length 2', open(1, 90, '1.1.1.1', [cap(65, u16(1))])],
    ['graceful restart of length 3', open(1, 90, '1.1.1.1', [cap(64, u16(1), [1])])],
    ['FQDN hostname overruns', open(1, 90, '1.1.1.1', [cap(73, [9], [65])])],
  ];
  for (const [name, b] of cases) t.same(wireError(() => decodeOpen(b)).subcode, 0, name);
});

t.test('RFC 7911 §4 ADD-PATH tuples with an invalid Send/Receive value are ignored', async (t) => {
  t.same(decodeOpen(open(1, 90, '1.1.1.1', [cap(69, u16(1), [1, 0], u16(1), [1, 2])])).capabilities, [{ code: 69, families: [{ afi: 1, safi: 1, mode: 2 }] }]);
});

t.test('other optional parameters are kept raw', async (t) => {
  const o = decodeOpen(msg(1, [4], u16(1), u16(90), ip4('1.1.1.1'), [4], [1, 2, 0xab, 0xcd]));
  t.same(o.otherParams?.map((p) => [p.type, toHex(p.value)]), [[1, 'abcd']]);
  t.equal(toHex(encodeMessage(o, CTX)), toHex(msg(1, [4], u16(1), u16(90), ip4('1.1.1.1'), [4], [1, 2, 0xab, 0xcd])));
});

t.test('hex sanity of a whole OPEN', async (t) => {
  t.equal(toHex(open(65000, 240, '10.0.0.1', [cap(2)])), 'ffffffffffffffffffffffffffffffff' + '0021' + '01' + '04fde800f00a000001' + '04' + '02020200');
  void cat;
  void hex;
});
