/**
 * Loc-RIB (RFC 4271 §3.2, §9.1.2): for each prefix, every path known for it (from every
 * peer's Adj-RIB-In, accepted or not) and the best one chosen by the decision process.
 *
 * Incremental: `update` and `withdraw` touch one path of one prefix, rerun the decision
 * process for that prefix only and return a `LocRibChange` (old best, new best, and the
 * eligible paths best first — what ADD-PATH peers are sent), or null when nothing
 * changed. A path is identified within its prefix by (peer id, received path id).
 *
 * Paths are shared with the Adj-RIB-In that holds them (same objects): the Loc-RIB takes
 * no reference on their attributes.
 */
import { familyKey, type Prefix } from '../wire/types.js';
import { prefixKey } from '../wire/prefix.js';
import { bestOfSorted, comparePaths } from './decision.js';
import type { Path, PeerId, PrefixKey } from './path.js';

export interface LocRibEntry {
  readonly prefix: Prefix;
  readonly key: PrefixKey;
  /** Every path for the prefix, ordered by `comparePaths` (rejected ones last). */
  readonly paths: Path[];
  best: Path | undefined;
  /** Paths with a MED other than 0 (none: the MED step cannot remove anything). */
  withMed: number;
}

export interface LocRibChange {
  /** familyKey(afi, safi). */
  readonly family: number;
  readonly prefix: Prefix;
  readonly key: PrefixKey;
  readonly oldBest: Path | undefined;
  readonly newBest: Path | undefined;
  /**
   * Eligible paths after the change, best first (empty when the prefix is unreachable).
   * Built when first read: O(paths) — consumers that only need `path` and `eligible` (the
   * update groups) never pay for it.
   */
  readonly paths: readonly Path[];
  /** The path that was added, replaced or removed. */
  readonly path: Path;
  /** `path` is now in the Loc-RIB and eligible (false after a withdraw or a rejection). */
  readonly eligible: boolean;
}

class Change implements LocRibChange {
  #paths: Path[] | undefined;
  constructor(
    readonly family: number,
    readonly prefix: Prefix,
    readonly key: PrefixKey,
    readonly oldBest: Path | undefined,
    readonly newBest: Path | undefined,
    readonly path: Path,
    readonly eligible: boolean,
    /** The entry's paths at the time of the change (a copy is made only when read). */
    private readonly sorted: readonly Path[],
  ) {}

  get paths(): readonly Path[] {
    if (this.#paths === undefined) {
      const out: Path[] = [];
      const best = this.newBest;
      if (best !== undefined) {
        out.push(best);
        for (const p of this.sorted) if (p !== best && p.rejected === null) out.push(p);
      }
      this.#paths = out;
    }
    return this.#paths;
  }
}

function pathFamily(p: Path): number {
  return familyKey(p.prefix.afi, 1);
}

export class LocRib {
  readonly #families = new Map<number, Map<PrefixKey, LocRibEntry>>();

  /**
   * Adds `path`, replacing the path with the same peer and path id. When the caller knows
   * what it replaces (the Adj-RIB-In returns it: a path, or null for none), the old path
   * is found by binary search, or not looked for, instead of a scan.
   */
  update(path: Path, family: number = pathFamily(path), replaced?: Path | null): LocRibChange | null {
    let table = this.#families.get(family);
    if (table === undefined) {
      table = new Map();
      this.#families.set(family, table);
    }
    let e = table.get(path.key);
    if (e === undefined) {
      e = { prefix: path.prefix, key: path.key, paths: [], best: undefined, withMed: 0 };
      table.set(path.key, e);
    }
    const i = replaced === null ? -1 : find(e.paths, replaced ?? path);
    if (i >= 0) {
      if (e.paths[i] === path) return null;
      removeAt(e, i);
    }
    e.paths.splice(insertionPoint(e.paths, path), 0, path);
    if (hasMed(path)) e.withMed++;
    return this.#decide(family, e, path, path.rejected === null);
  }

  /** Removes `path` (matched by peer and path id). Null when it was not there. */
  withdraw(path: Path, family: number = pathFamily(path)): LocRibChange | null {
    const table = this.#families.get(family);
    const e = table?.get(path.key);
    if (table === undefined || e === undefined) return null;
    const i = find(e.paths, path);
    if (i < 0) return null;
    const removed = e.paths[i]!;
    removeAt(e, i);
    const change = this.#decide(family, e, removed, false);
    if (e.paths.length === 0) table.delete(path.key);
    return change;
  }

  get(family: number, prefix: Prefix): LocRibEntry | undefined {
    return this.#families.get(family)?.get(prefixKey(prefix));
  }

  entries(family: number): IterableIterator<LocRibEntry> {
    return (this.#families.get(family) ?? new Map<PrefixKey, LocRibEntry>()).values();
  }

  families(): number[] {
    return [...this.#families.keys()];
  }

  /** Number of prefixes (with at least one path) in `family`. */
  size(family: number): number {
    return this.#families.get(family)?.size ?? 0;
  }

  #decide(family: number, e: LocRibEntry, path: Path, eligible: boolean): LocRibChange {
    const oldBest = e.best;
    const newBest = bestOfSorted(e.paths, e.withMed > 0);
    e.best = newBest;
    // A snapshot (pointer copy) for the lazily built `paths`: the entry's array changes later.
    return new Change(family, e.prefix, e.key, oldBest, newBest, path, eligible, e.paths.slice());
  }
}

const hasMed = (p: Path): boolean => (p.attrs.attrs.med ?? 0) !== 0;

function removeAt(e: LocRibEntry, i: number): void {
  const [p] = e.paths.splice(i, 1);
  if (p !== undefined && hasMed(p)) e.withMed--;
}

/**
 * Index of the path with `p`'s peer and path id. When `p` itself is stored (the usual
 * case: the caller hands back the object it got from the Adj-RIB-In), a binary search on
 * the order finds it; otherwise a scan.
 */
function find(paths: readonly Path[], p: Path): number {
  let lo = 0;
  let hi = paths.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePaths(paths[mid]!, p) < 0) lo = mid + 1;
    else hi = mid;
  }
  if (paths[lo] === p) return lo;
  return indexOf(paths, p.peer.id, p.pathId);
}

function indexOf(paths: readonly Path[], peer: PeerId, pathId: number): number {
  for (let i = 0; i < paths.length; i++) {
    const q = paths[i]!;
    if (q.pathId === pathId && q.peer.id === peer) return i;
  }
  return -1;
}

function insertionPoint(paths: readonly Path[], p: Path): number {
  let lo = 0;
  let hi = paths.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePaths(paths[mid]!, p) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
