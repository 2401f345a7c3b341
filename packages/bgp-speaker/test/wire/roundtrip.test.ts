/**
 * Property-based round trips (fast-check): decode(encode(x)) == x for every message type,
 * and every predicted length equals the bytes written.
 */
import t from 'tap';
import fc from 'fast-check';
import { Framer } from '../../src/wire/framer.js';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { attributesLength, encodeAttributes, updateLength } from '../../src/wire/update-encode.js';
import { familyKey, type AsPathSegment, type CodecContext, type Message, type Nlri, type PathAttributes, type UpdateMessage } from '../../src/wire/types.js';

const u32 = fc.nat({ max: 0xffffffff });
const seed = 20261125;

const v4prefix = fc.tuple(u32, fc.integer({ min: 0, max: 32 })).map(([a, len]) => ({ afi: 1 as const, addr: len === 0 ? 0 : (a & (0xffffffff << (32 - len))) >>> 0, len }));
const v6prefix = fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 })).map(([a, len]) => {
  const addr = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, len - i * 8));
    addr[i] = a[i]! & (0xff << (8 - bits));
  }
  return { afi: 2 as const, addr, len };
});
const nlri = (prefix: fc.Arbitrary<Nlri['prefix']>, addPath: boolean) =>
  fc.array(fc.record({ prefix, pathId: addPath ? u32 : fc.constant(0) }), { maxLength: 20 });

const segment = (asn: fc.Arbitrary<number>, types: number[]) =>
  fc.record({ type: fc.constantFrom(...types), asns: fc.array(asn, { minLength: 1, maxLength: 12 }) }) as fc.Arbitrary<AsPathSegment>;
/**
 * Confederation segments first (where they are prepended), then AS_SEQUENCE/AS_SET. On a
 * 2-octet session confederation members have 2-octet ASes: AS4_PATH never carries
 * confederation segments (RFC 6793 §3).
 */
const asPath = (asn: fc.Arbitrary<number>, confedAsn: fc.Arbitrary<number>) =>
  fc.tuple(fc.array(segment(confedAsn, [3, 4]), { maxLength: 2 }), fc.array(segment(asn, [1, 2]), { maxLength: 4 })).map(([c, s]) => [...c, ...s]);

const UNKNOWN_CODES = [11, 12, 13, 19, 20, 21, 40, 99, 200, 255];
const attributes = (ctx: CodecContext): fc.Arbitrary<PathAttributes> =>
  fc.record(
    {
      origin: fc.constantFrom(0 as const, 1 as const, 2 as const),
      asPath: ctx.fourOctetAs ? asPath(u32, u32) : asPath(fc.oneof(fc.nat({ max: 0xffff }), u32), fc.nat({ max: 0xffff })),
      nextHop: fc.integer({ min: 1, max: 0xdfffffff }),
      med: u32,
      localPref: u32,
      atomicAggregate: fc.constant(true),
      aggregator: fc.record({ asn: ctx.fourOctetAs ? u32 : fc.oneof(fc.nat({ max: 0xffff }), u32), address: u32 }),
      communities: fc.array(u32, { minLength: 1, maxLength: 6 }),
      originatorId: u32,
      clusterList: fc.array(u32, { minLength: 1, maxLength: 4 }),
      extCommunities: fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
      largeCommunities: fc.array(fc.tuple(u32, u32, u32), { minLength: 1, maxLength: 3 }),
      mpReach: fc.record({ afi: fc.constant(2), safi: fc.constant(1), nextHop: fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 32, maxLength: 32 })), nlri: nlri(v6prefix, ctx.addPathSend.has(familyKey(2, 1))) }),
      mpUnreach: fc.record({ afi: fc.constant(2), safi: fc.constant(1), withdrawn: nlri(v6prefix, ctx.addPathSend.has(familyKey(2, 1))) }),
      unknown: fc.uniqueArray(fc.record({ flags: fc.constantFrom(0xc0, 0xe0), code: fc.constantFrom(...UNKNOWN_CODES), value: fc.uint8Array({ maxLength: 300 }) }), { selector: (u) => u.code, minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: [] },
  );

const contexts: [string, CodecContext][] = [
  ['4-octet AS, ADD-PATH both families', { fourOctetAs: true, extendedMessage: true, addPathSend: new Set([familyKey(1, 1), familyKey(2, 1)]), addPathReceive: new Set([familyKey(1, 1), familyKey(2, 1)]) }],
  ['2-octet AS (RFC 6793 AS4_PATH), no ADD-PATH', { fourOctetAs: false, extendedMessage: true, addPathSend: new Set(), addPathReceive: new Set() }],
];

/** What the decoder gives back: unknown attributes carry the Partial bit after a hop (RFC 4271 §5). */
function expected(a: PathAttributes): PathAttributes {
  const out: PathAttributes = { ...a };
  if (a.unknown) out.unknown = a.unknown.map((u) => ({ ...u, flags: u.flags | 0x20 }));
  return out;
}

for (const [name, ctx] of contexts) {
  t.test(`UPDATE round trip, ${name}`, async (t) => {
    const upd = fc.record({
      type: fc.constant(2 as const),
      withdrawn: nlri(v4prefix, ctx.addPathSend.has(familyKey(1, 1))),
      attributes: attributes(ctx),
      nlri: nlri(v4prefix, ctx.addPathSend.has(familyKey(1, 1))),
    });
    fc.assert(
      fc.property(upd, (u: UpdateMessage) => {
        const b = encodeMessage(u, ctx);
        t.equal(b.length, updateLength(u, ctx), 'updateLength predicts the encoded size');
        const shared = encodeAttributes(u.attributes, ctx);
        const { mpReach, mpUnreach, ...rest } = u.attributes;
        void mpReach;
        void mpUnreach;
        t.equal(shared.length, attributesLength(rest, ctx), 'attributesLength predicts encodeAttributes');
        const d = decodeMessage(b, ctx);
        // Missing mandatory attributes make it treat-as-withdraw, but the content round trips regardless.
        t.same(d.message, { ...u, attributes: expected(u.attributes) });
      }),
      { seed, numRuns: 300 },
    );
  });
}

t.test('OPEN, NOTIFICATION, ROUTE-REFRESH round trips', async (t) => {
  const ctx = contexts[0]![1];
  const cap = fc.oneof(
    fc.record({ code: fc.constant(1 as const), afi: fc.nat({ max: 0xffff }), safi: fc.nat({ max: 255 }) }),
    fc.constantFrom({ code: 2 as const }, { code: 70 as const }, { code: 6 as const }),
    fc.record({ code: fc.constant(65 as const), asn: u32 }),
    fc.record({ code: fc.constant(64 as const), restarting: fc.boolean(), notification: fc.boolean(), restartTime: fc.nat({ max: 4095 }), families: fc.array(fc.record({ afi: fc.nat({ max: 0xffff }), safi: fc.nat({ max: 255 }), forwardingPreserved: fc.boolean() }), { maxLength: 4 }) }),
    fc.record({ code: fc.constant(69 as const), families: fc.array(fc.record({ afi: fc.nat({ max: 0xffff }), safi: fc.nat({ max: 255 }), mode: fc.constantFrom(1 as const, 2 as const, 3 as const) }), { maxLength: 4 }) }),
    fc.record({ code: fc.constant(71 as const), families: fc.array(fc.record({ afi: fc.nat({ max: 0xffff }), safi: fc.nat({ max: 255 }), forwardingPreserved: fc.boolean(), staleTime: fc.nat({ max: 0xffffff }) }), { maxLength: 4 }) }),
    fc.record({ code: fc.constant(73 as const), hostname: fc.string({ maxLength: 40 }), domain: fc.string({ maxLength: 40 }) }),
    fc.record({ code: fc.constantFrom(128, 131, 250), raw: fc.uint8Array({ maxLength: 20 }), unknown: fc.constant(true as const) }),
  );
  const msg: fc.Arbitrary<Message> = fc.oneof(
    fc.record({ type: fc.constant(1 as const), version: fc.constant(4), myAs: fc.nat({ max: 0xffff }), holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })), bgpId: u32, capabilities: fc.array(cap, { maxLength: 60 }) }),
    fc.record({ type: fc.constant(3 as const), code: fc.nat({ max: 255 }), subcode: fc.nat({ max: 255 }), data: fc.uint8Array({ maxLength: 100 }) }),
    fc.record({ type: fc.constant(5 as const), afi: fc.nat({ max: 0xffff }), subtype: fc.constantFrom(0, 1, 2), safi: fc.nat({ max: 255 }) }),
    fc.constant({ type: 4 as const }),
  );
  fc.assert(
    fc.property(msg, (m) => {
      t.same(decodeMessage(encodeMessage(m, ctx), ctx).message, m);
    }),
    { seed, numRuns: 500 },
  );
});

t.test('framing: any chunking of any message sequence gives the messages back', async (t) => {
  const ctx = contexts[0]![1];
  const messages = fc.array(
    fc.oneof(
      fc.constant(encodeMessage({ type: 4 }, ctx)),
      fc.uint8Array({ maxLength: 200 }).map((data) => encodeMessage({ type: 3, code: 6, subcode: 2, data }, ctx)),
      fc.nat({ max: 600 }).map((n) => encodeMessage({ type: 2, withdrawn: [], attributes: {}, nlri: Array.from({ length: n }, (_, i) => ({ prefix: { afi: 1, addr: i << 8, len: 24 }, pathId: i })) }, ctx)),
    ),
    { minLength: 1, maxLength: 8 },
  );
  fc.assert(
    fc.property(messages, fc.array(fc.nat({ max: 5000 }), { maxLength: 20 }), (ms, cuts) => {
      const stream = new Uint8Array(ms.reduce((n, m) => n + m.length, 0));
      let o = 0;
      for (const m of ms) {
        stream.set(m, o);
        o += m.length;
      }
      const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const f = new Framer(65535);
      const got: string[] = [];
      let prev = 0;
      for (const p of [...points, stream.length]) {
        f.push(stream.subarray(prev, p));
        prev = p;
        for (let m = f.next(); m !== null; m = f.next()) got.push(Buffer.from(m).toString('hex'));
      }
      t.same(got, ms.map((m) => Buffer.from(m).toString('hex')));
    }),
    { seed, numRuns: 200 },
  );
});
