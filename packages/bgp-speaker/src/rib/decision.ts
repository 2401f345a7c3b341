/**
 * The decision process: which of the paths for one prefix is the best.
 *
 * What the RFCs say.
 *   RFC 4271 §9.1.1 gives each route a degree of preference (LOCAL_PREF for routes from
 *   internal peers, local policy for routes from external peers). §9.1.2 excludes
 *   ineligible routes. §9.1.2.2 breaks ties between the routes of highest preference by
 *   removing routes from the candidate set, step after step, until one is left:
 *     (a) shortest AS_PATH (an AS_SET counts 1; RFC 5065 §5.3: confederation segments 0),
 *     (b) lowest ORIGIN,
 *     (c) lowest MULTI_EXIT_DISC among routes from the same neighbouring AS (a missing
 *         MED counts as the lowest value, 0),
 *     (d) routes from external peers over routes from internal peers,
 *     (e) lowest interior cost to the NEXT_HOP,
 *     (f) lowest BGP Identifier of the advertising speaker,
 *     (g) lowest peer address.
 *   RFC 4456 §9 changes (f): a route carrying ORIGINATOR_ID uses it instead of the BGP
 *   Identifier; and adds, between (f) and (g), the shortest CLUSTER_LIST.
 *
 * What we do.
 *   `selectBest` runs the elimination exactly as written (steps numbered below), so the
 *   result depends only on the set of paths, never on the order they arrived in — (c) is
 *   not a pairwise total order (MEDs are compared only within a neighbouring AS), which is
 *   why a plain sort would be order dependent.
 *   - Ineligible = rejected (path.ts `Rejection`: loop, policy, limit, treat-as-withdraw):
 *     such a path never becomes best.
 *   - A missing LOCAL_PREF counts as 100 (the usual default for routes from external
 *     peers, where §9.1.1 leaves the value to local policy).
 *   - (e) does not apply: a route reflector does not forward traffic and does not resolve
 *     next hops through an IGP; every NEXT_HOP is taken as equally close (cost 0).
 *   - Stale paths (RFC 4724 §4.2, peer restarting) rank exactly like fresh ones: the RFC
 *     keeps them precisely so that forwarding goes on unchanged while the peer restarts;
 *     demoting them would move traffic away and back for nothing.
 *   - After (g), two paths can only tie when they come from the same peer (ADD-PATH):
 *     lowest path identifier, then the peer id, make the result a function of the set.
 *   `orderPaths` gives the ADD-PATH list: eligible paths, best first, the others after it
 *   by `comparePaths` (every step in order, (c) left out because it is not transitive).
 */
import { AsPathSegmentType, type AsPathSegment } from '../wire/types.js';
import type { Path } from './path.js';

export const DEFAULT_LOCAL_PREF = 100;
/** Neighbouring AS of a route that starts in our own AS (RFC 4271 §9.1.2.2 neighborAS). */
export const LOCAL_NEIGHBOUR_AS = -1;

/** RFC 4271 §9.1.2.2 (a), RFC 5065 §5.3: AS_SET counts 1, confederation segments 0. */
export function asPathLengthForDecision(path: readonly AsPathSegment[] | undefined): number {
  if (path === undefined) return 0;
  let n = 0;
  for (const s of path) {
    if (s.type === AsPathSegmentType.AS_SEQUENCE) n += s.asns.length;
    else if (s.type === AsPathSegmentType.AS_SET) n += 1;
  }
  return n;
}

/**
 * RFC 4271 §9.1.2.2 neighborAS(): the first AS of the AS_PATH (confederation segments
 * skipped, RFC 5065 §5.3); our own AS when the path is empty or starts with an AS_SET.
 */
export function neighbourAs(path: readonly AsPathSegment[] | undefined): number {
  if (path === undefined) return LOCAL_NEIGHBOUR_AS;
  for (const s of path) {
    if (s.type === AsPathSegmentType.AS_CONFED_SEQUENCE || s.type === AsPathSegmentType.AS_CONFED_SET) continue;
    return s.type === AsPathSegmentType.AS_SEQUENCE && s.asns.length > 0 ? s.asns[0]! : LOCAL_NEIGHBOUR_AS;
  }
  return LOCAL_NEIGHBOUR_AS;
}

const localPref = (p: Path): number => p.attrs.attrs.localPref ?? DEFAULT_LOCAL_PREF;
const med = (p: Path): number => p.attrs.attrs.med ?? 0;
/** RFC 4456 §9: ORIGINATOR_ID stands in for the BGP Identifier when present. */
const originatorOrRouterId = (p: Path): number => p.attrs.attrs.originatorId ?? p.peer.routerId;
const clusterListLength = (p: Path): number => p.attrs.attrs.clusterList?.length ?? 0;

/** A step compares two paths: negative when `a` is preferred, positive when `b` is. */
export type Step = (a: Path, b: Path) => number;

// 0. RFC 4271 §9.1.2: only eligible (not rejected) paths take part.
export const preferEligible: Step = (a, b) => (a.rejected === null ? 0 : 1) - (b.rejected === null ? 0 : 1);
// 1. RFC 4271 §9.1.1: highest degree of preference (LOCAL_PREF).
export const preferHighestLocalPref: Step = (a, b) => localPref(b) - localPref(a);
// 2. RFC 4271 §9.1.2.2 (a): shortest AS_PATH.
export const preferShortestAsPath: Step = (a, b) => asPathLengthForDecision(a.attrs.attrs.asPath) - asPathLengthForDecision(b.attrs.attrs.asPath);
// 3. RFC 4271 §9.1.2.2 (b): lowest ORIGIN (IGP < EGP < INCOMPLETE).
export const preferLowestOrigin: Step = (a, b) => (a.attrs.attrs.origin ?? 0) - (b.attrs.attrs.origin ?? 0);
// 4. RFC 4271 §9.1.2.2 (c): lowest MED, only between paths from the same neighbouring AS.
export const preferLowestMed: Step = (a, b) =>
  neighbourAs(a.attrs.attrs.asPath) === neighbourAs(b.attrs.attrs.asPath) ? med(a) - med(b) : 0;
// 5. RFC 4271 §9.1.2.2 (d): learned from an external peer over learned from an internal one.
export const preferEbgpOverIbgp: Step = (a, b) => (a.peer.isIbgp ? 1 : 0) - (b.peer.isIbgp ? 1 : 0);
// 6. RFC 4271 §9.1.2.2 (e): lowest IGP cost to NEXT_HOP — not applicable (see header).
// 7. RFC 4271 §9.1.2.2 (f) as changed by RFC 4456 §9: lowest ORIGINATOR_ID / BGP Identifier.
export const preferLowestOriginatorId: Step = (a, b) => compareU32(originatorOrRouterId(a), originatorOrRouterId(b));
// 8. RFC 4456 §9: shortest CLUSTER_LIST.
export const preferShortestClusterList: Step = (a, b) => clusterListLength(a) - clusterListLength(b);
// 9. RFC 4271 §9.1.2.2 (g): lowest peer address.
export const preferLowestPeerAddress: Step = (a, b) => compareStrings(a.peer.addressOrder, b.peer.addressOrder);
// 10. Ours: same peer (RFC 7911 ADD-PATH): lowest path identifier, then the peer id.
export const preferLowestPathId: Step = (a, b) => compareU32(a.pathId, b.pathId) || compareStrings(a.peer.id, b.peer.id);

function compareU32(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The elimination steps after eligibility, in RFC order (step 4 is handled by `keepLowestMedPerNeighbourAs`). */
const STEPS_BEFORE_MED: readonly Step[] = [preferHighestLocalPref, preferShortestAsPath, preferLowestOrigin];
const STEPS_AFTER_MED: readonly Step[] = [
  preferEbgpOverIbgp,
  preferLowestOriginatorId,
  preferShortestClusterList,
  preferLowestPeerAddress,
  preferLowestPathId,
];

/** Keeps the candidates that no other candidate beats on `step`. */
function keepBest(cands: Path[], step: Step): Path[] {
  if (cands.length < 2) return cands;
  let best = cands[0]!;
  for (let i = 1; i < cands.length; i++) if (step(cands[i]!, best) < 0) best = cands[i]!;
  return cands.filter((p) => step(p, best) === 0);
}

/** Step 4: within each neighbouring AS, keep the paths of lowest MED. */
function keepLowestMedPerNeighbourAs(cands: Path[]): Path[] {
  if (cands.length < 2) return cands;
  const lowest = new Map<number, number>();
  for (const p of cands) {
    const n = neighbourAs(p.attrs.attrs.asPath);
    const m = lowest.get(n);
    if (m === undefined || med(p) < m) lowest.set(n, med(p));
  }
  return cands.filter((p) => med(p) === lowest.get(neighbourAs(p.attrs.attrs.asPath)));
}

/** The best eligible path of `paths` (RFC 4271 §9.1.2, §9.1.2.2; RFC 4456 §9), or undefined. */
export function selectBest(paths: readonly Path[]): Path | undefined {
  let cands = paths.filter((p) => p.rejected === null);
  if (cands.length < 2) return cands[0];
  for (const s of STEPS_BEFORE_MED) cands = keepBest(cands, s);
  cands = keepLowestMedPerNeighbourAs(cands);
  for (const s of STEPS_AFTER_MED) cands = keepBest(cands, s);
  return cands[0];
}

/**
 * A total order used to list the paths after the best: every step in order except
 * step 4 (not transitive). Ineligible paths sort last.
 */
export function comparePaths(a: Path, b: Path): number {
  return (
    preferEligible(a, b) ||
    preferHighestLocalPref(a, b) ||
    preferShortestAsPath(a, b) ||
    preferLowestOrigin(a, b) ||
    preferEbgpOverIbgp(a, b) ||
    preferLowestOriginatorId(a, b) ||
    preferShortestClusterList(a, b) ||
    preferLowestPeerAddress(a, b) ||
    preferLowestPathId(a, b)
  );
}

const sameFirstSteps = (a: Path, b: Path): boolean =>
  preferHighestLocalPref(a, b) === 0 && preferShortestAsPath(a, b) === 0 && preferLowestOrigin(a, b) === 0;

/**
 * `selectBest` for paths already sorted by `comparePaths` (the Loc-RIB keeps them so), in
 * one pass without allocation in the usual case. Why it agrees with the elimination:
 * steps 1-3 are the first keys of the order, so the candidates left after them are the
 * sorted list's prefix equal to its head on those steps; step 4 removes, per neighbouring
 * AS, the paths above that AS's lowest MED; steps 5-10 keep the lexicographic minimum of
 * the remaining keys, which, the order being lexicographic on exactly those keys, is the
 * first survivor in sorted order. (The property test checks it against `selectBest`.)
 * `medsDiffer` false promises every path has the same MED: O(1).
 */
export function bestOfSorted(sorted: readonly Path[], medsDiffer = true): Path | undefined {
  const head = sorted[0];
  if (head === undefined || head.rejected !== null) return undefined;
  // All MEDs equal (e.g. none set, as from Calico nodes): step 4 removes nothing.
  if (!medsDiffer) return head;
  let k = 1;
  while (k < sorted.length && sorted[k]!.rejected === null && sameFirstSteps(head, sorted[k]!)) k++;
  if (k === 1) return head;
  // Step 4: lowest MED per neighbouring AS among the k candidates.
  let lowest: Map<number, number> | undefined;
  const firstAs = neighbourAs(head.attrs.attrs.asPath);
  let firstMin = med(head);
  for (let i = 1; i < k; i++) {
    const p = sorted[i]!;
    const n = neighbourAs(p.attrs.attrs.asPath);
    if (lowest === undefined && n === firstAs) {
      if (med(p) < firstMin) firstMin = med(p);
      continue;
    }
    lowest ??= new Map([[firstAs, firstMin]]);
    const m = lowest.get(n);
    if (m === undefined || med(p) < m) lowest.set(n, med(p));
  }
  for (let i = 0; i < k; i++) {
    const p = sorted[i]!;
    const n = neighbourAs(p.attrs.attrs.asPath);
    const min = lowest === undefined ? firstMin : lowest.get(n)!;
    if (med(p) === min) return p;
  }
  return head; // unreachable: the lowest MED of each AS belongs to one of its paths
}

/** Eligible paths, best first, then the rest by `comparePaths`. */
export function orderPaths(paths: readonly Path[]): Path[] {
  const best = selectBest(paths);
  if (best === undefined) return [];
  const rest = paths.filter((p) => p !== best && p.rejected === null).sort(comparePaths);
  return [best, ...rest];
}
