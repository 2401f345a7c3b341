import t from 'tap';
import fc from 'fast-check';
import { OverlayMap } from '../src/overlay-map.js';

const sorted = (m: ReadonlyMap<string, number>): [string, number][] => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));

t.test('with() returns a new map and leaves the old one as it was', async (t) => {
  const a = OverlayMap.from(new Map([['x', 1], ['y', 2]]));
  const b = a.with(new Map([['x', 10], ['z', 3], ['y', undefined]]));
  t.same(sorted(a), [['x', 1], ['y', 2]], 'the old map is unchanged');
  t.same(sorted(b), [['x', 10], ['z', 3]]);
  t.same([b.size, b.has('y'), b.get('y'), b.get('x'), b.has('z')], [2, false, undefined, 10, true]);
  t.same([...b.keys()].sort(), ['x', 'z']);
  t.same([...b.values()].sort(), [10, 3].sort());
  const seen: string[] = [];
  b.forEach((v, k, m) => seen.push(`${k}=${v}:${m === b}`));
  t.same(seen.sort(), ['x=10:true', 'z=3:true']);
  t.equal(b.with(new Map()), b, 'no change: the same map');
  t.same([b.with(new Map([['nope', undefined]])).size], [2], 'deleting an absent key changes nothing');
  t.equal(OverlayMap.from(b), b, 'from() keeps an OverlayMap as it is');
});

t.test('property: any sequence of batches behaves like a Map (overlays folded into new bases included)', async () => {
  // 150 keys: overlays grow past their 64-entry minimum and get folded.
  const keys = Array.from({ length: 150 }, (_, i) => `k${i}`);
  const op = fc.record({ k: fc.constantFrom(...keys), v: fc.option(fc.nat(100), { nil: undefined }) });
  fc.assert(
    fc.property(fc.array(fc.array(op, { maxLength: 20 }), { maxLength: 60 }), (batches) => {
      const model = new Map<string, number>();
      let m = OverlayMap.from(new Map<string, number>());
      const history: [OverlayMap<number>, [string, number][]][] = [];
      for (const batch of batches) {
        const changes = new Map<string, number | undefined>();
        for (const { k, v } of batch) {
          changes.set(k, v);
          if (v === undefined) model.delete(k);
          else model.set(k, v);
        }
        m = m.with(changes);
        history.push([m, sorted(model)]);
        if (m.size !== model.size) return false;
        for (const k of keys) if (m.get(k) !== model.get(k) || m.has(k) !== model.has(k)) return false;
      }
      // Every earlier version is still what it was (persistence).
      return history.every(([old, want]) => JSON.stringify(sorted(old)) === JSON.stringify(want));
    }),
  );
});

t.test('many single changes: overlays are folded into a new base, contents stay right', async (t) => {
  const model = new Map<string, number>();
  let m = OverlayMap.from(new Map<string, number>());
  for (let i = 0; i < 1000; i++) {
    const k = `k${(i * 7) % 300}`;
    const v = i % 5 === 4 ? undefined : i;
    m = m.with(new Map([[k, v]]));
    if (v === undefined) model.delete(k);
    else model.set(k, v);
  }
  t.equal(m.size, model.size);
  t.same(sorted(m), sorted(model));
});
