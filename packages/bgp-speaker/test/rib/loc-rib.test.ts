/** Loc-RIB: incremental decision per prefix and the change it reports (RFC 4271 §9.1.2, RFC 7911). */
import t from 'tap';
import { LocRib } from '../../src/rib/loc-rib.js';
import { parsePrefix } from '../../src/wire/prefix.js';
import { AttributeTable, attrs, ip, path, peer } from './fixtures.js';

const table = new AttributeTable();
const V4 = 0x101;
const N1 = peer('10.0.0.1');
const N2 = peer('10.0.0.2');
const N3 = peer('10.0.0.3');
const SVC = '10.96.0.0/12';

t.test('first path: best appears; second, worse path: best unchanged but listed', async (t) => {
  const rib = new LocRib();
  const a = path(table, SVC, N1);
  const b = path(table, SVC, N2);
  const c1 = rib.update(a)!;
  t.equal(c1.oldBest, undefined);
  t.equal(c1.newBest, a);
  t.same(c1.paths, [a]);
  const c2 = rib.update(b)!;
  t.equal(c2.oldBest, a);
  t.equal(c2.newBest, a);
  t.same(c2.paths, [a, b], 'ADD-PATH list: best first');
  t.equal(c2.path, b);
});

t.test('replacing a path of the same peer and path id re-runs the decision', async (t) => {
  const rib = new LocRib();
  rib.update(path(table, SVC, N1));
  const b = path(table, SVC, N2);
  rib.update(b);
  const a2 = path(table, SVC, N1, attrs('10.0.0.1', { localPref: 50 }));
  const c = rib.update(a2)!;
  t.equal(c.newBest, b, 'N1 lowered its LOCAL_PREF');
  t.same(c.paths, [b, a2]);
  t.equal(rib.get(V4, parsePrefix(SVC))!.paths.length, 2, 'replaced, not added');
  t.equal(rib.update(a2), null, 'the same path again changes nothing');
});

t.test('withdraw: best moves to the next path, the last withdraw empties the prefix', async (t) => {
  const rib = new LocRib();
  const a = path(table, SVC, N1);
  const b = path(table, SVC, N2);
  rib.update(a);
  rib.update(b);
  const c1 = rib.withdraw(a)!;
  t.equal(c1.oldBest, a);
  t.equal(c1.newBest, b);
  const c2 = rib.withdraw(b)!;
  t.equal(c2.newBest, undefined);
  t.same(c2.paths, []);
  t.equal(rib.size(V4), 0);
  t.equal(rib.withdraw(b), null, 'withdrawing an unknown path is a no-op');
});

t.test('withdraw matches by peer and path id, not by object', async (t) => {
  const rib = new LocRib();
  rib.update(path(table, SVC, N1, attrs('10.0.0.1'), { pathId: 4 }));
  const c = rib.withdraw(path(table, SVC, N1, attrs('10.0.0.99'), { pathId: 4 }));
  t.equal(c?.newBest, undefined);
});

t.test('rejected paths are kept (for display) but never listed for ADD-PATH nor best', async (t) => {
  const rib = new LocRib();
  const r = path(table, SVC, N1, attrs('10.0.0.1'), { rejected: 'block not affine to this node' });
  const c = rib.update(r)!;
  t.equal(c.newBest, undefined);
  t.same(c.paths, []);
  const ok = path(table, SVC, N3);
  t.same(rib.update(ok)!.paths, [ok]);
  t.same(rib.get(V4, parsePrefix(SVC))!.paths, [ok, r], 'rejected path sorts last in the entry');
});

t.test('other paths after the best are in decision order', async (t) => {
  const rib = new LocRib();
  const ps = [
    path(table, SVC, peer('10.0.0.5', { routerId: ip('11.11.11.11') })),
    path(table, SVC, N2, attrs('10.0.0.2', { localPref: 300 })),
    path(table, SVC, N3, attrs('10.0.0.3', { clusterList: [5] })),
    path(table, SVC, N1),
  ];
  let last = null;
  for (const p of ps) last = rib.update(p);
  t.same(last!.paths.map((p) => p.peer.address), ['10.0.0.2', '10.0.0.1', '10.0.0.3', '10.0.0.5']);
});
