/** Interned attributes (DESIGN.md §4): one copy per distinct set, stable hash, counted references. */
import t from 'tap';
import fc from 'fast-check';
import { AttributeTable, attributesEqual, attributesHash, routeAttributes } from '../../src/rib/attribute-table.js';
import { AsPathSegmentType as T, Afi, Origin, type PathAttributes } from '../../src/wire/types.js';
import { attrs, ip, seq } from './fixtures.js';

t.test('identical attribute sets are stored once and compared by identity', async (t) => {
  const table = new AttributeTable();
  const a = table.intern(attrs('10.0.0.1', { communities: [1, 2] }));
  const b = table.intern(attrs('10.0.0.1', { communities: [1, 2] }));
  const c = table.intern(attrs('10.0.0.1', { communities: [2, 1] }));
  t.equal(a, b, 'same object for equal sets built separately');
  t.not(a, c, 'community order is part of the value');
  t.equal(table.size, 2);
  t.equal(a.refs, 2);
  t.ok(Object.isFrozen(a.attrs));
});

t.test('references: memory is released when the last holder lets go', async (t) => {
  const table = new AttributeTable();
  const a = table.intern(attrs('10.0.0.1'));
  table.retain(a);
  table.release(a);
  t.equal(table.size, 1, 'still held once');
  table.release(a);
  t.equal(table.size, 0, 'forgotten at zero');
  t.throws(() => table.release(a), /released more often/);
  const again = table.intern(attrs('10.0.0.1'));
  t.not(again, a, 'a fresh entry after release');
  t.equal(again.refs, 1);
});

t.test('RFC 4760: the NLRI lists of MP_REACH/MP_UNREACH are not part of the route attributes', async (t) => {
  const table = new AttributeTable();
  const nh = new Uint8Array(16).fill(1);
  const pfx = (n: number) => ({ prefix: { afi: Afi.IPV6, addr: new Uint8Array(16).fill(n), len: 64 }, pathId: 0 }) as const;
  const u1: PathAttributes = { origin: Origin.IGP, mpReach: { afi: 2, safi: 1, nextHop: nh, nlri: [pfx(1)] } };
  const u2: PathAttributes = { origin: Origin.IGP, mpReach: { afi: 2, safi: 1, nextHop: nh.slice(), nlri: [pfx(2), pfx(3)] }, mpUnreach: { afi: 2, safi: 1, withdrawn: [pfx(4)] } };
  const a = table.intern(u1);
  const b = table.intern(u2);
  t.equal(a, b);
  t.same(a.attrs.mpReach?.nlri, []);
  t.equal(a.attrs.mpUnreach, undefined);
  t.equal(routeAttributes({ origin: Origin.IGP }).mpReach, undefined);
});

t.test('hash is stable across runs (pinned value) and differs for absent vs zero', async (t) => {
  t.equal(attributesHash({}), 0x811c9dc5, 'empty set hashes to the FNV offset basis');
  t.not(attributesHash({ med: 0 }), attributesHash({}));
  t.not(attributesHash({ med: 1 }), attributesHash({ localPref: 1 }));
  t.equal(attributesHash(attrs('10.0.0.1', { asPath: seq(1, 2) })), attributesHash(attrs('10.0.0.1', { asPath: seq(1, 2) })));
});

t.test('equality covers every field', async (t) => {
  const base = attrs('10.0.0.1');
  const variants: PathAttributes[] = [
    { ...base, origin: Origin.EGP },
    { ...base, asPath: [{ type: T.AS_SET, asns: [] }] },
    { ...base, nextHop: ip('10.0.0.2') },
    { ...base, med: 0 },
    { ...base, localPref: 101 },
    { ...base, atomicAggregate: true },
    { ...base, aggregator: { asn: 1, address: 2 } },
    { ...base, communities: [] },
    { ...base, originatorId: 0 },
    { ...base, clusterList: [] },
    { ...base, mpReach: { afi: 2, safi: 1, nextHop: new Uint8Array(16), nlri: [] } },
    { ...base, extCommunities: [new Uint8Array(8)] },
    { ...base, as4Path: [] },
    { ...base, as4Aggregator: { asn: 1, address: 2 } },
    { ...base, largeCommunities: [[1, 2, 3]] },
    { ...base, unknown: [{ flags: 0xc0, code: 99, value: Uint8Array.of(1) }] },
  ];
  for (const v of variants) t.notOk(attributesEqual(base, v), `differs: ${JSON.stringify(Object.keys(v).filter((k) => !(k in base)))}`);
  t.ok(attributesEqual(base, { ...base }));
});

t.test('property: equal sets intern to one object; hash agrees with equality', async (t) => {
  const arb = fc.record(
    {
      origin: fc.constantFrom(Origin.IGP, Origin.INCOMPLETE),
      nextHop: fc.nat({ max: 3 }),
      med: fc.nat({ max: 2 }),
      communities: fc.array(fc.nat({ max: 3 }), { maxLength: 3 }),
      clusterList: fc.array(fc.nat({ max: 2 }), { maxLength: 2 }),
      unknown: fc.array(fc.record({ flags: fc.constant(0xc0), code: fc.constantFrom(99, 100), value: fc.uint8Array({ maxLength: 2 }) }), { maxLength: 1 }),
    },
    { requiredKeys: [] },
  );
  const table = new AttributeTable();
  fc.assert(
    fc.property(arb, arb, (x, y) => {
      const eq = attributesEqual(x, y);
      if (eq && attributesHash(x) !== attributesHash(y)) return false;
      const a = table.intern(x);
      const b = table.intern(structuredClone(y));
      const ok = (a === b) === eq;
      table.release(a);
      table.release(b);
      return ok;
    }),
  );
  t.equal(table.size, 0, 'every reference given back');
});
