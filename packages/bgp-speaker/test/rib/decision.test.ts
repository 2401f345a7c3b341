/**
 * The decision process, one case per step (RFC 4271 §9.1.1, §9.1.2.2 (a)-(g), RFC 4456
 * §9). Every case is run in every insertion order, through `selectBest` and through the
 * incremental Loc-RIB (OpenBGPD's rde_decide tests do the same).
 */
import t from 'tap';
import fc from 'fast-check';
import { bestOfSorted, comparePaths, selectBest, orderPaths, asPathLengthForDecision, neighbourAs, LOCAL_NEIGHBOUR_AS } from '../../src/rib/decision.js';
import { LocRib } from '../../src/rib/loc-rib.js';
import type { Path } from '../../src/rib/path.js';
import { AsPathSegmentType as T, Origin, type PathAttributes } from '../../src/wire/types.js';
import { AttributeTable, attrs, ip, path, peer, permutations, seq } from './fixtures.js';

const table = new AttributeTable();
const P = '172.16.1.0/24';
const A = peer('10.0.0.1');
const B = peer('10.0.0.2');
const C = peer('10.0.0.3');

interface Case {
  readonly name: string;
  readonly paths: Record<string, Path>;
  /** Label of the expected best, or null for none. */
  readonly best: string | null;
}

const cases: Case[] = [
  {
    name: 'RFC 4271 §9.1.1: highest LOCAL_PREF wins over every later step',
    paths: { a: path(table, P, C, attrs('10.0.0.3', { localPref: 200, asPath: seq(1, 2, 3) })), b: path(table, P, A) },
    best: 'a',
  },
  {
    name: 'RFC 4271 §9.1.1: a missing LOCAL_PREF counts as 100',
    paths: { a: path(table, P, C, attrs('10.0.0.3', { localPref: undefined })), b: path(table, P, A, attrs('10.0.0.1', { localPref: 99 })) },
    best: 'a',
  },
  {
    name: 'RFC 4271 §9.1.2.2 (a): shortest AS_PATH',
    paths: { a: path(table, P, C, attrs('10.0.0.3', { asPath: seq(65001) })), b: path(table, P, A, attrs('10.0.0.1', { asPath: seq(65001, 65002) })) },
    best: 'a',
  },
  {
    name: 'RFC 4271 §9.1.2.2 (a): an AS_SET counts as one',
    paths: {
      a: path(table, P, C, attrs('10.0.0.3', { asPath: [{ type: T.AS_SEQUENCE, asns: [1] }, { type: T.AS_SET, asns: [2, 3, 4, 5] }] })),
      b: path(table, P, A, attrs('10.0.0.1', { asPath: seq(6, 7, 8) })),
    },
    best: 'a',
  },
  {
    name: 'RFC 5065 §5.3: confederation segments count zero in the AS_PATH length',
    paths: {
      a: path(table, P, C, attrs('10.0.0.3', { asPath: [{ type: T.AS_CONFED_SEQUENCE, asns: [1, 2, 3] }, { type: T.AS_SEQUENCE, asns: [4] }] })),
      b: path(table, P, A, attrs('10.0.0.1', { asPath: seq(5, 6) })),
    },
    best: 'a',
  },
  {
    name: 'RFC 4271 §9.1.2.2 (b): lowest ORIGIN',
    paths: { a: path(table, P, C, attrs('10.0.0.3', { origin: Origin.IGP })), b: path(table, P, A, attrs('10.0.0.1', { origin: Origin.INCOMPLETE })) },
    best: 'a',
  },
  {
    name: 'RFC 4271 §9.1.2.2 (c): lowest MED between routes from the same neighbouring AS',
    paths: { a: path(table, P, C, attrs('10.0.0.3', { asPath: seq(65001), med: 5 })), b: path(table, P, A, attrs('10.0.0.1', { asPath: seq(65001), med: 10 })) },
    best: 'a',
  },
  {
    name: 'RFC 4271 §9.1.2.2 (c): a missing MED is the lowest value',
    paths: { a: path(table, P, C, attrs('10.0.0.3', { asPath: seq(65001) })), b: path(table, P, A, attrs('10.0.0.1', { asPath: seq(65001), med: 1 })) },
    best: 'a',
  },
  {
    name: 'RFC 4271 §9.1.2.2 (c): MEDs of different neighbouring ASes are not compared',
    paths: { a: path(table, P, A, attrs('10.0.0.1', { asPath: seq(65001), med: 50 })), b: path(table, P, C, attrs('10.0.0.3', { asPath: seq(65002), med: 5 })) },
    best: 'a',
  },
  {
    // a beats b (router id), b beats c (router id), c beats a (MED): a cycle pairwise; the
    // elimination removes a at (c), then b wins at (f) — in every order.
    name: 'RFC 4271 §9.1.2.2 (c): MED elimination is by neighbouring AS, not pairwise',
    paths: {
      a: path(table, P, A, attrs('10.0.0.1', { asPath: seq(100), med: 20 })),
      b: path(table, P, B, attrs('10.0.0.2', { asPath: seq(200), med: 10 })),
      c: path(table, P, C, attrs('10.0.0.3', { asPath: seq(100), med: 5 })),
    },
    best: 'b',
  },
  {
    name: 'RFC 4271 §9.1.2.2 (d): a route from an external peer over one from an internal peer',
    paths: { a: path(table, P, peer('10.0.0.9', { isIbgp: false, asn: 65009 }), attrs('10.0.0.9', { localPref: undefined })), b: path(table, P, A) },
    best: 'a',
  },
  {
    name: 'RFC 4271 §9.1.2.2 (e): no IGP cost — NEXT_HOP plays no part',
    paths: { a: path(table, P, A, attrs('192.168.0.200')), b: path(table, P, B, attrs('192.168.0.1')) },
    best: 'a',
  },
  {
    name: 'RFC 4271 §9.1.2.2 (f): lowest BGP Identifier',
    paths: { a: path(table, P, peer('10.0.0.9', { routerId: ip('1.1.1.1') })), b: path(table, P, A) },
    best: 'a',
  },
  {
    name: 'RFC 4456 §9: ORIGINATOR_ID replaces the BGP Identifier',
    paths: {
      a: path(table, P, peer('10.0.0.9', { routerId: ip('1.1.1.1') }), attrs('10.0.0.9', { originatorId: ip('10.0.0.200') })),
      b: path(table, P, C),
    },
    best: 'b',
  },
  {
    name: 'RFC 4456 §9: shortest CLUSTER_LIST',
    paths: {
      a: path(table, P, A, attrs('10.0.0.5', { originatorId: ip('10.0.0.5'), clusterList: [1, 2] })),
      b: path(table, P, C, attrs('10.0.0.5', { originatorId: ip('10.0.0.5'), clusterList: [3] })),
    },
    best: 'b',
  },
  {
    name: 'RFC 4271 §9.1.2.2 (g): lowest peer address, compared as a number',
    paths: {
      a: path(table, P, peer('10.0.0.10', { routerId: 7 }), attrs('10.0.0.5')),
      b: path(table, P, peer('10.0.0.2', { routerId: 7 }), attrs('10.0.0.5')),
    },
    best: 'b',
  },
  {
    name: 'RFC 7911: two paths from one peer: lowest path identifier',
    paths: { a: path(table, P, A, attrs('10.0.0.5'), { pathId: 9 }), b: path(table, P, A, attrs('10.0.0.6'), { pathId: 2 }) },
    best: 'b',
  },
  {
    name: 'RFC 4271 §9.1.2: a rejected path never becomes best, whatever its preference',
    paths: { a: path(table, P, A, attrs('10.0.0.1', { localPref: 1000 }), { rejected: 'outside IP pools' }), b: path(table, P, C) },
    best: 'b',
  },
  {
    name: 'RFC 4271 §9.1.2: only rejected paths: no best',
    paths: { a: path(table, P, A, attrs('10.0.0.1'), { rejected: 'outside IP pools' }) },
    best: null,
  },
  {
    name: 'RFC 4724 §4.2: a stale path ranks like a fresh one',
    paths: { a: Object.assign(path(table, P, A), { stale: true }), b: path(table, P, C) },
    best: 'a',
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const labels = new Map<Path, string>(Object.entries(c.paths).map(([k, v]) => [v, k]));
    const want = c.best === null ? undefined : c.paths[c.best];
    for (const order of permutations(Object.values(c.paths))) {
      const how = order.map((p) => labels.get(p)).join(',');
      t.equal(selectBest(order), want, `selectBest, order ${how}`);
      const rib = new LocRib();
      let last = null;
      for (const p of order) last = rib.update(p) ?? last;
      t.equal(last?.newBest, want, `Loc-RIB incremental, order ${how}`);
      t.equal(orderPaths(order)[0], want, `orderPaths puts the best first, order ${how}`);
    }
  });
}

t.test('AS_PATH length and neighbouring AS helpers', async (t) => {
  t.equal(asPathLengthForDecision(undefined), 0);
  t.equal(asPathLengthForDecision([{ type: T.AS_SET, asns: [1, 2] }, { type: T.AS_SEQUENCE, asns: [3, 4] }]), 3);
  t.equal(neighbourAs([]), LOCAL_NEIGHBOUR_AS, 'empty path: our own AS');
  t.equal(neighbourAs([{ type: T.AS_SET, asns: [1, 2] }]), LOCAL_NEIGHBOUR_AS, 'starts with AS_SET: our own AS');
  t.equal(neighbourAs([{ type: T.AS_CONFED_SEQUENCE, asns: [9] }, { type: T.AS_SEQUENCE, asns: [7, 8] }]), 7);
});

// Property: the best is a function of the set of paths (never of arrival order), and the
// incremental Loc-RIB agrees with a from-scratch selection after every add and remove.
const arbAttrs: fc.Arbitrary<PathAttributes> = fc.record({
  localPref: fc.constantFrom(undefined, 90, 100, 200),
  asPath: fc.constantFrom([], seq(100), seq(200), seq(100, 300), [{ type: T.AS_SET, asns: [1, 2] }]),
  origin: fc.constantFrom(Origin.IGP, Origin.EGP, Origin.INCOMPLETE),
  med: fc.constantFrom(undefined, 0, 5, 10),
  originatorId: fc.constantFrom(undefined, 1, 2),
  clusterList: fc.constantFrom(undefined, [7], [7, 8]),
});
const arbPath = fc.record({
  a: arbAttrs,
  peer: fc.integer({ min: 1, max: 6 }),
  ebgp: fc.boolean(),
  pathId: fc.integer({ min: 0, max: 2 }),
  rejected: fc.boolean(),
});

t.test('property: best is independent of insertion order; incremental equals full', async (t) => {
  fc.assert(
    fc.property(fc.array(arbPath, { minLength: 1, maxLength: 7 }), fc.array(fc.nat(), { minLength: 1 }), (specs, shuffle) => {
      const seen = new Set<string>();
      const paths: Path[] = [];
      for (const s of specs) {
        const id = `${s.peer}/${s.pathId}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const from = peer(`10.0.0.${s.peer}`, { isIbgp: !s.ebgp, routerId: (s.peer * 7) % 5 });
        paths.push(path(table, P, from, { ...attrs(from.address), ...s.a }, { pathId: s.pathId, rejected: s.rejected ? 'no' : undefined }));
      }
      const shuffled = [...paths].sort((x, y) => (shuffle[paths.indexOf(x) % shuffle.length]! - shuffle[paths.indexOf(y) % shuffle.length]!));
      const best = selectBest(paths);
      if (selectBest(shuffled) !== best) return false;
      const rib = new LocRib();
      const present: Path[] = [];
      for (const p of shuffled) {
        const ch = rib.update(p);
        present.push(p);
        if (ch?.newBest !== selectBest(present)) return false;
        if (ch === null || ch.paths.length !== present.filter((x) => x.rejected === null).length) return false;
      }
      for (const p of paths) {
        const ch = rib.withdraw(p);
        present.splice(present.indexOf(p), 1);
        if (ch?.newBest !== selectBest(present)) return false;
      }
      return rib.size(ch0(paths)) === 0;
    }),
    { numRuns: 300 },
  );
  t.pass('property held');
});

function ch0(paths: Path[]): number {
  return paths[0]!.prefix.afi === 1 ? 0x101 : 0x201;
}

t.test('property: bestOfSorted (the Loc-RIB fast path) equals the RFC elimination on sorted input', async (t) => {
  fc.assert(
    fc.property(fc.array(arbPath, { minLength: 1, maxLength: 12 }), (specs) => {
      const seen = new Set<string>();
      const paths: Path[] = [];
      for (const s of specs) {
        const id = `${s.peer}/${s.pathId}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const from = peer(`10.0.0.${s.peer}`, { isIbgp: !s.ebgp, routerId: (s.peer * 7) % 5 });
        paths.push(path(table, P, from, { ...attrs(from.address), ...s.a }, { pathId: s.pathId, rejected: s.rejected ? 'no' : undefined }));
      }
      return bestOfSorted([...paths].sort(comparePaths)) === selectBest(paths);
    }),
    { numRuns: 1000 },
  );
  t.pass('held');
});
