import t from 'tap';
import { mergeAs4Path, reconcileAggregator } from '../../src/wire/as-path.js';
import type { AsPathSegment } from '../../src/wire/types.js';

const seq = (...asns: number[]): AsPathSegment => ({ type: 2, asns });
const set = (...asns: number[]): AsPathSegment => ({ type: 1, asns });
const confed = (...asns: number[]): AsPathSegment => ({ type: 3, asns });
const T = 23456;

// RFC 6793 §4.2.3: [name, AS_PATH, AS4_PATH, result]
const CASES: [string, AsPathSegment[], AsPathSegment[], AsPathSegment[]][] = [
  ['same length: AS4_PATH is the path', [seq(T, 65001)], [seq(4200000000, 65001)], [seq(4200000000, 65001)]],
  ['OLD speakers prepended: their ASes are kept in front', [seq(65003, 65002, T)], [seq(4200000000)], [seq(65003, 65002, 4200000000)]],
  ['AS4_PATH longer than AS_PATH: AS4_PATH ignored', [seq(T)], [seq(1, 4200000000)], [seq(T)]],
  ['an AS_SET counts as one', [seq(65002), set(T, 65001)], [set(4200000000, 65001)], [seq(65002), set(4200000000, 65001)]],
  ['confederation segments in front are kept, not counted', [confed(64512), seq(T)], [seq(4200000000)], [confed(64512), seq(4200000000)]],
  ['split inside a sequence', [seq(65005, 65004, T, T)], [seq(4200000001, 4200000000)], [seq(65005, 65004, 4200000001, 4200000000)]],
  ['empty AS4_PATH: AS_PATH unchanged', [seq(65001)], [], [seq(65001)]],
];

t.test('RFC 6793 §4.2.3 AS_PATH and AS4_PATH reconciliation', async (t) => {
  for (const [name, asPath, as4Path, want] of CASES) t.same(mergeAs4Path(asPath, as4Path), want, name);
});

t.test('RFC 6793 §4.2.3 AGGREGATOR vs AS4_AGGREGATOR', async (t) => {
  const agg = (asn: number) => ({ asn, address: 1 });
  t.same(reconcileAggregator(agg(T), agg(4200000000)), { aggregator: agg(4200000000), useAs4Path: true });
  t.same(reconcileAggregator(agg(65001), agg(4200000000)), { aggregator: agg(65001), useAs4Path: false });
  t.same(reconcileAggregator(undefined, agg(4200000000)), { aggregator: undefined, useAs4Path: true });
  t.same(reconcileAggregator(agg(65001), undefined), { aggregator: agg(65001), useAs4Path: true });
});
