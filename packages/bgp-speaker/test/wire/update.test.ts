import t from 'tap';
import { Severity, WireError } from '../../src/wire/errors.js';
import { decodeUpdate, type DecodedUpdate } from '../../src/wire/update.js';
import { DEFAULT_CODEC_CONTEXT, familyKey, type CodecContext } from '../../src/wire/types.js';
import { wireError } from './catch.js';
import { attr, cat, hex, ip4, pfx4, pfx6, toHex, u16, u32, updateBody, type Part } from './bytes.js';

const CTX4: CodecContext = { ...DEFAULT_CODEC_CONTEXT, fourOctetAs: true };
const CTX2: CodecContext = DEFAULT_CODEC_CONTEXT;
const ADDPATH: CodecContext = { ...CTX4, addPathReceive: new Set([familyKey(1, 1), familyKey(2, 1)]) };

const ORIGIN = attr(0x40, 1, [0]);
const AS_PATH = attr(0x40, 2);
const NEXT_HOP = attr(0x40, 3, ip4('10.0.0.5'));
const BASE = cat(ORIGIN, AS_PATH, NEXT_HOP);
const NLRI = pfx4('172.16.5.0', 24);

const dec = (attrs: Part, nlri: Part = NLRI, ctx = CTX4, withdrawn: Part = []): DecodedUpdate => decodeUpdate(updateBody(withdrawn, attrs, nlri), ctx);
const errs = (d: DecodedUpdate) => d.errors.map((e) => ({ code: e.code, subcode: e.subcode, data: toHex(e.data), severity: e.severity }));

t.test('RFC 4456 reflected Calico route: every field decodes', async (t) => {
  const d = dec(cat(BASE, attr(0x40, 5, u32(100)), attr(0x80, 9, ip4('10.0.0.5')), attr(0x80, 10, ip4('244.0.0.1'))), pfx4('172.16.5.0', 24, 7), ADDPATH);
  t.equal(d.action, 'none');
  t.same(d.errors, []);
  t.same(d.update.attributes, { origin: 0, asPath: [], nextHop: 0x0a000005, localPref: 100, originatorId: 0x0a000005, clusterList: [0xf4000001] });
  t.same(d.update.nlri, [{ prefix: { afi: 1, addr: 0xac100500, len: 24 }, pathId: 7 }]);
  t.equal(d.endOfRib, undefined);
});

t.test('RFC 4271 §4.3 every attribute of the vocabulary', async (t) => {
  const d = dec(
    cat(
      attr(0x40, 1, [2]),
      attr(0x40, 2, [2, 2], u32(65001), u32(4200000000), [1, 2], u32(1), u32(2), [3, 1], u32(64512), [4, 1], u32(64513)),
      NEXT_HOP,
      attr(0x80, 4, u32(50)),
      attr(0x40, 5, u32(200)),
      attr(0x40, 6),
      attr(0xc0, 7, u32(65010), ip4('192.0.2.1')),
      attr(0xc0, 8, u32(0xfde80064), u32(0xffffff01)),
      attr(0xc0, 16, hex('0002fde800000064')),
      attr(0xc0, 32, u32(4200000000), u32(1), u32(2)),
    ),
  );
  t.equal(d.action, 'none');
  const a = d.update.attributes;
  t.equal(a.origin, 2);
  t.same(a.asPath, [
    { type: 2, asns: [65001, 4200000000] },
    { type: 1, asns: [1, 2] },
    { type: 3, asns: [64512] },
    { type: 4, asns: [64513] },
  ]);
  t.equal(a.med, 50);
  t.equal(a.localPref, 200);
  t.equal(a.atomicAggregate, true);
  t.same(a.aggregator, { asn: 65010, address: 0xc0000201 });
  t.same(a.communities, [0xfde80064, 0xffffff01]);
  t.same(a.extCommunities!.map(toHex), ['0002fde800000064']);
  t.same(a.largeCommunities, [[4200000000, 1, 2]]);
});

t.test('RFC 4271 §5 unknown optional transitive kept, optional non-transitive dropped', async (t) => {
  const d = dec(cat(BASE, attr(0xc0, 99, 'abcd'), attr(0x80, 98, 'ef'), attr(0xe0, 97)));
  t.equal(d.action, 'none');
  t.same(d.update.attributes.unknown!.map((u) => [u.flags, u.code, toHex(u.value)]), [
    [0xc0, 99, 'abcd'],
    [0xe0, 97, ''],
  ]);
});

t.test('RFC 4271 §6.3 unrecognized well-known attribute: 3/2 session reset, data = the attribute', async (t) => {
  t.same(wireError(() => dec(cat(BASE, attr(0x40, 99, 'aa')))), { code: 3, subcode: 2, data: '406301aa', severity: Severity.SESSION_RESET });
});

// RFC 7606 §7: the approach for each malformed attribute. [name, attrs, action, subcode, data hex]
const REVISED: [string, Uint8Array, string, number, string][] = [
  ['§7.1 ORIGIN length 2', cat(attr(0x40, 1, [0, 0]), AS_PATH, NEXT_HOP), 'treat-as-withdraw', 5, '4001020000'],
  ['§7.1 ORIGIN undefined value 3 (3/6)', cat(attr(0x40, 1, [3]), AS_PATH, NEXT_HOP), 'treat-as-withdraw', 6, '40010103'],
  ['§7.2 AS_PATH segment overruns (3/11)', cat(ORIGIN, attr(0x40, 2, [2, 2], u32(1)), NEXT_HOP), 'treat-as-withdraw', 11, '400206020200000001'],
  ['§7.2 AS_PATH unknown segment type', cat(ORIGIN, attr(0x40, 2, [5, 1], u32(1)), NEXT_HOP), 'treat-as-withdraw', 11, '40020605010000' + '0001'],
  ['§7.2 AS_PATH zero-length segment', cat(ORIGIN, attr(0x40, 2, [2, 0]), NEXT_HOP), 'treat-as-withdraw', 11, '4002020200'],
  ['§7.3 NEXT_HOP length 5', cat(ORIGIN, AS_PATH, attr(0x40, 3, [10, 0, 0, 5, 0])), 'treat-as-withdraw', 5, '4003050a00000500'],
  ['§7.3 NEXT_HOP 0.0.0.0 (3/8)', cat(ORIGIN, AS_PATH, attr(0x40, 3, [0, 0, 0, 0])), 'treat-as-withdraw', 8, '40030400000000'],
  ['§7.3 NEXT_HOP multicast (3/8)', cat(ORIGIN, AS_PATH, attr(0x40, 3, [224, 0, 0, 1])), 'treat-as-withdraw', 8, '400304e0000001'],
  ['§7.4 MULTI_EXIT_DISC length 3', cat(BASE, attr(0x80, 4, [0, 0, 1])), 'treat-as-withdraw', 5, '800403000001'],
  ['§7.5 LOCAL_PREF length 2', cat(BASE, attr(0x40, 5, [0, 100])), 'treat-as-withdraw', 5, '4005020064'],
  ['§7.6 ATOMIC_AGGREGATE length 1', cat(BASE, attr(0x40, 6, [1])), 'attribute-discard', 5, '40060101'],
  ['§7.7 AGGREGATOR length 7', cat(BASE, attr(0xc0, 7, [0, 0, 0, 1, 1, 2, 3])), 'attribute-discard', 5, 'c0070700000001010203'],
  ['§7.8 COMMUNITIES empty', cat(BASE, attr(0xc0, 8)), 'treat-as-withdraw', 5, 'c00800'],
  ['§7.8 COMMUNITIES length 5', cat(BASE, attr(0xc0, 8, [0, 0, 0, 1, 2])), 'treat-as-withdraw', 5, 'c008050000000102'],
  ['§7.9 ORIGINATOR_ID length 3', cat(BASE, attr(0x80, 9, [1, 2, 3])), 'treat-as-withdraw', 5, '800903010203'],
  ['§7.10 CLUSTER_LIST length 6', cat(BASE, attr(0x80, 10, [1, 2, 3, 4, 5, 6])), 'treat-as-withdraw', 5, '800a06010203040506'],
  ['§7.14 EXTENDED_COMMUNITIES length 7', cat(BASE, attr(0xc0, 16, [1, 2, 3, 4, 5, 6, 7])), 'treat-as-withdraw', 5, 'c0100701020304050607'],
  ['RFC 8092 §5 LARGE_COMMUNITY length 11', cat(BASE, attr(0xc0, 32, new Array(11).fill(1))), 'treat-as-withdraw', 5, 'c0200b' + '01'.repeat(11)],
  ['§3 (c) ORIGIN flagged optional (3/4)', cat(attr(0xc0, 1, [0]), AS_PATH, NEXT_HOP), 'treat-as-withdraw', 4, 'c0010100'],
  ['§3 (c) LOCAL_PREF with Partial (3/4)', cat(BASE, attr(0x60, 5, u32(1))), 'treat-as-withdraw', 4, '60050400000001'],
  ['§3 (c) AGGREGATOR flagged non-transitive (3/4)', cat(BASE, attr(0x80, 7, u32(1), ip4('1.2.3.4'))), 'attribute-discard', 4, '80070800000001' + '01020304'],
  ['§3 (c) ORIGINATOR_ID flagged transitive (3/4)', cat(BASE, attr(0xc0, 9, ip4('1.2.3.4'))), 'treat-as-withdraw', 4, 'c0090401020304'],
  ['§3 (d) missing ORIGIN (3/3)', cat(AS_PATH, NEXT_HOP), 'treat-as-withdraw', 3, '01'],
  ['§3 (d) missing AS_PATH (3/3)', cat(ORIGIN, NEXT_HOP), 'treat-as-withdraw', 3, '02'],
  ['§3 (d) missing NEXT_HOP with IPv4 NLRI (3/3)', cat(ORIGIN, AS_PATH), 'treat-as-withdraw', 3, '03'],
  ['§3 (g) repeated LOCAL_PREF: later ones dropped', cat(BASE, attr(0x40, 5, u32(1)), attr(0x40, 5, u32(2))), 'attribute-discard', 1, ''],
  ['§4 attribute overruns the attribute list', cat(BASE, [0x40, 5, 9, 0, 0]), 'treat-as-withdraw', 1, ''],
  ['§4 too few octets for an attribute header', cat(BASE, [0x40, 5]), 'treat-as-withdraw', 1, ''],
  ['§4 extended-length header cut short', cat(BASE, [0x50, 5, 0]), 'treat-as-withdraw', 1, ''],
];

t.test('RFC 7606 revised error handling, per attribute', async (t) => {
  for (const [name, attrs, action, subcode, data] of REVISED) {
    const d = dec(attrs);
    t.equal(d.action, action, name);
    t.same(errs(d)[0], { code: 3, subcode, data, severity: action === 'treat-as-withdraw' ? 2 : 1 }, name);
    t.same(d.update.nlri.length, 1, `${name}: NLRI kept for the caller to withdraw`);
  }
});

t.test('RFC 7606 §4 broken attribute list after MP_UNREACH_NLRI: treat-as-withdraw', async (t) => {
  const d = dec(cat(attr(0x80, 15, u16(2), [1], pfx6('fd00', 16)), [0x40, 1]), []);
  t.equal(d.action, 'treat-as-withdraw');
  t.equal(d.update.attributes.mpUnreach!.withdrawn.length, 1);
});

t.test('RFC 7606 §3 (g) the first of repeated attributes is kept', async (t) => {
  const d = dec(cat(BASE, attr(0x40, 5, u32(1)), attr(0x40, 5, u32(2))));
  t.equal(d.update.attributes.localPref, 1);
});

t.test('RFC 7606 attribute-discard removes only the bad attribute', async (t) => {
  const d = dec(cat(BASE, attr(0x40, 6, [1]), attr(0x40, 5, u32(100))));
  t.equal(d.update.attributes.atomicAggregate, undefined);
  t.equal(d.update.attributes.localPref, 100);
});

t.test('RFC 7606 §3 (i) the worst approach wins', async (t) => {
  const d = dec(cat(attr(0x40, 1, [7]), AS_PATH, NEXT_HOP, attr(0x40, 6, [1])));
  t.equal(d.action, 'treat-as-withdraw');
  t.equal(d.errors.length, 2);
});

t.test('no NLRI: missing mandatory attributes are not an error', async (t) => {
  const d = dec([], [], CTX4, pfx4('10.0.0.0', 8));
  t.equal(d.action, 'none');
  t.same(d.update.withdrawn, [{ prefix: { afi: 1, addr: 0x0a000000, len: 8 }, pathId: 0 }]);
});

// Errors that reset the session: [name, body, subcode]
const RESET: [string, Uint8Array, number][] = [
  ['§6.3 body shorter than the two length fields', Uint8Array.of(0, 0, 0), 1],
  ['§6.3 withdrawn routes length overruns', cat(u16(10), [8, 10]), 1],
  ['§6.3 total attribute length overruns', cat(u16(0), u16(50), BASE), 1],
  ['RFC 7606 §5.3 NLRI prefix longer than 32', updateBody([], BASE, [33, 1, 2, 3, 4, 5]), 10],
  ['RFC 7606 §5.3 NLRI truncated', updateBody([], BASE, [24, 10, 0]), 10],
  ['RFC 7606 §5.3 withdrawn prefix truncated', updateBody([16, 10], [], []), 10],
  ['RFC 7606 §3 (g) repeated MP_REACH_NLRI', updateBody([], cat(BASE, attr(0x80, 14, u16(2), [1, 16], new Array(16).fill(1), [0]), attr(0x80, 14, u16(2), [1, 16], new Array(16).fill(1), [0])), []), 1],
  ['RFC 7606 §3 (g) repeated MP_UNREACH_NLRI', updateBody([], cat(attr(0x80, 15, u16(2), [1]), attr(0x80, 15, u16(2), [1])), []), 1],
  ['RFC 7606 §7.11 MP_REACH_NLRI too short', updateBody([], attr(0x80, 14, u16(2), [1]), []), 9],
  ['RFC 7606 §7.11 MP_REACH_NLRI IPv6 next hop of 4 bytes', updateBody([], cat(BASE, attr(0x80, 14, u16(2), [1, 4], ip4('10.0.0.1'), [0])), []), 9],
  ['RFC 7606 §7.11 MP_REACH_NLRI next hop overruns', updateBody([], attr(0x80, 14, u16(2), [1, 16], [1, 2, 3]), []), 9],
  ['RFC 7606 §5.3 MP_REACH_NLRI prefix truncated', updateBody([], cat(BASE, attr(0x80, 14, u16(2), [1, 16], new Array(16).fill(1), [0], [64, 0xfd])), []), 9],
  ['RFC 7606 §5.3 MP_UNREACH_NLRI prefix longer than 128', updateBody([], attr(0x80, 15, u16(2), [1], [129], new Array(17).fill(0)), []), 9],
  ['RFC 7606 §3 (c) MP_REACH_NLRI flagged transitive', updateBody([], attr(0xc0, 14, u16(2), [1, 16], new Array(16).fill(1), [0]), []), 4],
  ['RFC 7911 path identifier truncated', updateBody([], BASE, [0, 0, 1]), 10],
  ['RFC 7606 §4 + §5.1 attribute list broken and no NLRI located', updateBody([], cat(ORIGIN, [0x90, 14, 0, 200]), []), 1],
];

t.test('session reset errors are thrown as WireError', async (t) => {
  for (const [name, body, subcode] of RESET) {
    const ctx = name.startsWith('RFC 7911') ? ADDPATH : CTX4;
    const e = wireError(() => decodeUpdate(body, ctx));
    t.same([e.code, e.subcode, e.severity], [3, subcode, Severity.SESSION_RESET], name);
  }
});

t.test('RFC 4760 MP_REACH_NLRI for IPv6 with link-local next hop and ADD-PATH', async (t) => {
  const nh = hex('fd000000000000000000000000000001fe800000000000000000000000000001');
  const d = dec(cat(attr(0x90, 14, u16(2), [1, 32], nh, [0], pfx6('fd000000000000010000000000000000', 64, 9)), ORIGIN, AS_PATH), [], ADDPATH);
  t.equal(d.action, 'none');
  const mp = d.update.attributes.mpReach!;
  t.same([mp.afi, mp.safi, toHex(mp.nextHop)], [2, 1, toHex(Uint8Array.from(nh))]);
  t.same(mp.nlri.map((n) => [n.pathId, n.prefix.len, toHex(n.prefix.addr as Uint8Array)]), [[9, 64, 'fd000000000000010000000000000000']]);
});

t.test('RFC 7606 §3 (d) MP_REACH NLRI without ORIGIN: treat-as-withdraw; NEXT_HOP not required', async (t) => {
  const d = dec(cat(attr(0x80, 14, u16(2), [1, 16], new Array(16).fill(0xfd), [0], pfx6('fd00', 16)), AS_PATH), [], CTX4);
  t.equal(d.action, 'treat-as-withdraw');
  t.same(errs(d).map((e) => e.data), ['01']);
});

t.test('RFC 4760 §7 MP attribute of an AFI/SAFI we do not carry is discarded', async (t) => {
  const d = dec(cat(BASE, attr(0x80, 14, u16(1), [128, 12], new Array(12).fill(0), [0])));
  t.equal(d.action, 'attribute-discard');
  t.equal(d.update.attributes.mpReach, undefined);
});

t.test('RFC 4724 §2 End-of-RIB markers', async (t) => {
  t.same(decodeUpdate(Uint8Array.of(0, 0, 0, 0), CTX4).endOfRib, { afi: 1, safi: 1 });
  t.same(dec(attr(0x80, 15, u16(2), [1]), []).endOfRib, { afi: 2, safi: 1 });
  t.equal(dec(cat(attr(0x80, 15, u16(2), [1]), ORIGIN), []).endOfRib, undefined, 'other attributes: not End-of-RIB');
  t.equal(dec(BASE).endOfRib, undefined);
});

t.test('RFC 4271 §4.3 trailing host bits of an NLRI are ignored', async (t) => {
  const d = dec(BASE, [24, 172, 16, 5]);
  t.same(d.update.nlri[0]!.prefix, { afi: 1, addr: 0xac100500, len: 24 });
  const e = dec(BASE, [20, 172, 16, 0xff]);
  t.same(e.update.nlri[0]!.prefix, { afi: 1, addr: 0xac10f000, len: 20 });
  t.same(dec(BASE, [0]).update.nlri[0]!.prefix, { afi: 1, addr: 0, len: 0 });
});

t.test('RFC 6793 §4.2.3 AS4_PATH merged on a 2-octet session', async (t) => {
  // AS_PATH [65002 65001 AS_TRANS], AS4_PATH [65001 4200000000]: the leading extra AS (65002) is kept.
  const d = dec(cat(ORIGIN, attr(0x40, 2, [2, 3], u16(65002), u16(65001), u16(23456)), NEXT_HOP, attr(0xc0, 17, [2, 2], u32(65001), u32(4200000000))), NLRI, CTX2);
  t.same(d.update.attributes.asPath, [{ type: 2, asns: [65002, 65001, 4200000000] }]);
  t.equal(d.update.attributes.as4Path, undefined);
  // AS4_PATH longer than AS_PATH: ignored.
  const e = dec(cat(ORIGIN, attr(0x40, 2, [2, 1], u16(23456)), NEXT_HOP, attr(0xc0, 17, [2, 2], u32(1), u32(4200000000))), NLRI, CTX2);
  t.same(e.update.attributes.asPath, [{ type: 2, asns: [23456] }]);
});

t.test('RFC 6793 §4.2.3 AGGREGATOR and AS4_AGGREGATOR', async (t) => {
  const as4path = attr(0xc0, 17, [2, 1], u32(4200000000));
  const path = attr(0x40, 2, [2, 1], u16(23456));
  const d = dec(cat(ORIGIN, path, NEXT_HOP, attr(0xc0, 7, u16(23456), ip4('192.0.2.1')), attr(0xc0, 18, u32(4200000001), ip4('192.0.2.1')), as4path), NLRI, CTX2);
  t.same(d.update.attributes.aggregator, { asn: 4200000001, address: 0xc0000201 });
  t.same(d.update.attributes.asPath, [{ type: 2, asns: [4200000000] }]);
  // AGGREGATOR not AS_TRANS: AS4_AGGREGATOR and AS4_PATH are both ignored.
  const e = dec(cat(ORIGIN, path, NEXT_HOP, attr(0xc0, 7, u16(65010), ip4('192.0.2.1')), attr(0xc0, 18, u32(4200000001), ip4('192.0.2.1')), as4path), NLRI, CTX2);
  t.same(e.update.attributes.aggregator, { asn: 65010, address: 0xc0000201 });
  t.same(e.update.attributes.asPath, [{ type: 2, asns: [23456] }]);
});

t.test('RFC 6793 §6 malformed AS4_PATH is discarded; ignored between 4-octet speakers', async (t) => {
  const d = dec(cat(BASE, attr(0xc0, 17, [2, 3], u32(1))), NLRI, CTX2);
  t.equal(d.action, 'attribute-discard');
  t.same(errs(d)[0]!.subcode, 11);
  const e = dec(cat(BASE, attr(0xc0, 17, [2, 1], u32(4200000000))), NLRI, CTX4);
  t.equal(e.action, 'none');
  t.same(e.update.attributes.asPath, []);
  t.equal(e.update.attributes.as4Path, undefined);
});

t.test('only WireError escapes', async (t) => {
  t.ok(new WireError(3, 1, 'x') instanceof Error);
});
