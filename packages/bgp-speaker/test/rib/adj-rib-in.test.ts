/** Adj-RIB-In (RFC 4271 §3.2) and the graceful restart helper's stale handling (RFC 4724 §4.2). */
import t from 'tap';
import { AdjRibIn } from '../../src/rib/adj-rib-in.js';
import { parsePrefix, prefixKey } from '../../src/wire/prefix.js';
import { IPV4_UNICAST, IPV6_UNICAST, familyKey } from '../../src/wire/types.js';
import { AttributeTable, attrs, path, peer } from './fixtures.js';

const V4 = familyKey(IPV4_UNICAST.afi, IPV4_UNICAST.safi);
const V6 = familyKey(IPV6_UNICAST.afi, IPV6_UNICAST.safi);
const N1 = peer('10.0.0.1');

t.test('RFC 4271 §9: an UPDATE for a known prefix and path id replaces the old path', async (t) => {
  const table = new AttributeTable();
  const rib = new AdjRibIn(N1, table);
  const p1 = path(table, '172.16.1.0/24', N1);
  t.equal(rib.update(p1), undefined);
  const p2 = path(table, '172.16.1.0/24', N1, attrs('10.0.0.1', { med: 5 }));
  t.equal(rib.update(p2), p1, 'the replaced path is returned');
  t.equal(rib.get(V4, parsePrefix('172.16.1.0/24')), p2);
  t.same(rib.counts(V4), { received: 1, accepted: 1, rejected: 0, stale: 0 });
  t.equal(table.size, 1, 'the old attributes were released');
});

t.test('RFC 7911: paths with different path ids coexist; withdraw by path id', async (t) => {
  const table = new AttributeTable();
  const rib = new AdjRibIn(N1, table);
  const a = path(table, '10.96.0.0/12', N1, attrs('10.0.0.1'), { pathId: 1 });
  const b = path(table, '10.96.0.0/12', N1, attrs('10.0.0.7'), { pathId: 2 });
  rib.update(a);
  rib.update(b);
  t.equal(rib.counts(V4).received, 2);
  t.equal(rib.withdraw(V4, parsePrefix('10.96.0.0/12'), 1), a);
  t.equal(rib.withdraw(V4, parsePrefix('10.96.0.0/12'), 1), undefined, 'second withdraw finds nothing');
  t.same([...rib.paths(V4)], [b]);
});

t.test('counts: received = accepted + rejected (import policy)', async (t) => {
  const table = new AttributeTable();
  const rib = new AdjRibIn(N1, table);
  rib.update(path(table, '172.16.1.0/24', N1));
  rib.update(path(table, '192.168.0.0/24', N1, attrs('10.0.0.1'), { rejected: 'outside every enabled IP pool' }));
  t.same(rib.counts(V4), { received: 2, accepted: 1, rejected: 1, stale: 0 });
  rib.withdraw(V4, parsePrefix('192.168.0.0/24'), 0);
  t.same(rib.counts(V4), { received: 1, accepted: 1, rejected: 0, stale: 0 });
});

t.test('a path from another peer is refused', async (t) => {
  const table = new AttributeTable();
  const rib = new AdjRibIn(N1, table);
  t.throws(() => rib.update(path(table, '172.16.1.0/24', peer('10.0.0.2'))), /stored in Adj-RIB-In of 10.0.0.1/);
});

t.test('RFC 4724 §4.2: stale paths are kept, refreshed ones lose the mark, End-of-RIB sweeps the rest', async (t) => {
  const table = new AttributeTable();
  const rib = new AdjRibIn(N1, table);
  rib.update(path(table, '172.16.1.0/24', N1));
  rib.update(path(table, '172.16.2.0/24', N1));
  rib.update(path(table, 'fd00:1::/64', N1, { origin: 0, asPath: [] }));
  t.equal(rib.markStale(), 3, 'session lost: every path kept, stale');
  t.equal(rib.counts(V4).stale, 2);
  const fresh = path(table, '172.16.1.0/24', N1);
  rib.update(fresh);
  t.equal(fresh.stale, false, 'refreshed by the restarted peer');
  t.equal(rib.counts(V4).stale, 1);
  const swept = rib.sweepStale(V4);
  t.same(swept.map((p) => p.key), [prefixKey(parsePrefix('172.16.2.0/24'))], 'End-of-RIB for IPv4 removes the unrefreshed path');
  t.equal(rib.counts(V4).received, 1);
  t.equal(rib.counts(V6).stale, 1, 'IPv6 still waits for its own End-of-RIB');
  t.equal(rib.sweepStale().length, 1, 'restart timer: everything still stale goes');
  t.same(rib.counts(V6), { received: 0, accepted: 0, rejected: 0, stale: 0 });
});

t.test('clear: session down without graceful restart removes everything and releases attributes', async (t) => {
  const table = new AttributeTable();
  const rib = new AdjRibIn(N1, table);
  for (let i = 0; i < 10; i++) rib.update(path(table, `172.16.${i}.0/24`, N1));
  t.equal(table.size, 1, 'ten prefixes share one attribute set');
  t.equal(rib.clear().length, 10);
  t.equal(table.size, 0);
  t.same(rib.families(), [V4]);
});
