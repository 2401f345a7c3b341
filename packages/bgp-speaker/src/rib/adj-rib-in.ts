/**
 * Adj-RIB-In (RFC 4271 §3.2): the routes one peer advertised to us, unprocessed by the
 * decision process, per address family, keyed by compact prefix key and RFC 7911 path
 * identifier.
 *
 * - `update` stores a path, replacing the one with the same prefix and path id (an
 *   UPDATE for a known route is an implicit withdraw of the old one, RFC 4271 §9).
 * - `withdraw` removes one path; `clear` removes all (session down without graceful
 *   restart).
 * - Graceful restart helper (RFC 4724 §4.2): `markStale` when the peer's session drops
 *   and it had advertised the capability; a fresh UPDATE replaces a stale path by a
 *   non-stale one; `sweepStale` at the peer's End-of-RIB (per family) or when the restart
 *   or stale timer fires removes what was not refreshed.
 * - Counts: received (paths held), accepted (eligible), rejected (held with a `Rejection`).
 *
 * The table holds one reference on each path's interned attributes and releases it when
 * the path leaves. Removed paths are returned so the caller can withdraw them from the
 * Loc-RIB.
 */
import { familyKey } from '../wire/types.js';
import type { Prefix } from '../wire/types.js';
import { prefixKey } from '../wire/prefix.js';
import type { AttributeTable } from './attribute-table.js';
import type { Path, PeerInfo, PrefixKey } from './path.js';

export interface AdjRibInCounts {
  /** Paths held (accepted + rejected). */
  received: number;
  accepted: number;
  rejected: number;
  stale: number;
}

class FamilyTable {
  /** prefix key -> the peer's paths for it (one without ADD-PATH; a few with it). */
  readonly byPrefix = new Map<PrefixKey, Path[]>();
  readonly counts: AdjRibInCounts = { received: 0, accepted: 0, rejected: 0, stale: 0 };

  count(p: Path, d: 1 | -1): void {
    this.counts.received += d;
    if (p.rejected === null) this.counts.accepted += d;
    else this.counts.rejected += d;
    if (p.stale) this.counts.stale += d;
  }
}

function pathFamily(p: Path): number {
  return familyKey(p.prefix.afi, 1);
}

export class AdjRibIn {
  readonly #families = new Map<number, FamilyTable>();

  constructor(
    readonly peer: PeerInfo,
    readonly attributes: AttributeTable,
  ) {}

  #family(fk: number): FamilyTable {
    let t = this.#families.get(fk);
    if (t === undefined) {
      t = new FamilyTable();
      this.#families.set(fk, t);
    }
    return t;
  }

  /**
   * Stores `path` (which must come from this table's peer and hold one reference on its
   * attributes, now owned by this table). Returns the path it replaced, if any.
   */
  update(path: Path, family: number = pathFamily(path)): Path | undefined {
    if (path.peer.id !== this.peer.id) throw new Error(`path from ${path.peer.id} stored in Adj-RIB-In of ${this.peer.id}`);
    const t = this.#family(family);
    const list = t.byPrefix.get(path.key);
    t.count(path, 1);
    if (list === undefined) {
      t.byPrefix.set(path.key, [path]);
      return undefined;
    }
    for (let i = 0; i < list.length; i++) {
      const old = list[i]!;
      if (old.pathId === path.pathId) {
        list[i] = path;
        this.#forget(t, old);
        return old;
      }
    }
    list.push(path);
    return undefined;
  }

  /** Removes the path for (prefix, pathId); returns it, or undefined when not held. */
  withdraw(family: number, prefix: Prefix, pathId: number): Path | undefined {
    const t = this.#families.get(family);
    if (t === undefined) return undefined;
    const key = prefixKey(prefix);
    const list = t.byPrefix.get(key);
    if (list === undefined) return undefined;
    const i = list.findIndex((p) => p.pathId === pathId);
    if (i < 0) return undefined;
    const old = list[i]!;
    if (list.length === 1) t.byPrefix.delete(key);
    else list.splice(i, 1);
    this.#forget(t, old);
    return old;
  }

  get(family: number, prefix: Prefix, pathId = 0): Path | undefined {
    return this.#families.get(family)?.byPrefix.get(prefixKey(prefix))?.find((p) => p.pathId === pathId);
  }

  /** RFC 4724 §4.2: the session dropped; keep every path (of `family`, or all) as stale. */
  markStale(family?: number): number {
    let n = 0;
    for (const [fk, t] of this.#families) {
      if (family !== undefined && fk !== family) continue;
      for (const list of t.byPrefix.values()) {
        for (const p of list) {
          if (!p.stale) {
            p.stale = true;
            t.counts.stale++;
            n++;
          }
        }
      }
    }
    return n;
  }

  /**
   * RFC 4724 §4.2: End-of-RIB received for `family` (or the restart/stale timer fired):
   * every path still stale is deleted. Returns the deleted paths.
   */
  sweepStale(family?: number): Path[] {
    return this.#removeWhere(family, (p) => p.stale);
  }

  /** Removes every path (of `family`, or all): session down without graceful restart. */
  clear(family?: number): Path[] {
    return this.#removeWhere(family, () => true);
  }

  counts(family: number): Readonly<AdjRibInCounts> {
    return this.#families.get(family)?.counts ?? { received: 0, accepted: 0, rejected: 0, stale: 0 };
  }

  /** Families this peer has paths in. */
  families(): number[] {
    return [...this.#families.keys()];
  }

  *paths(family: number): IterableIterator<Path> {
    const t = this.#families.get(family);
    if (t === undefined) return;
    for (const list of t.byPrefix.values()) yield* list;
  }

  #removeWhere(family: number | undefined, pred: (p: Path) => boolean): Path[] {
    const out: Path[] = [];
    for (const [fk, t] of this.#families) {
      if (family !== undefined && fk !== family) continue;
      for (const [key, list] of t.byPrefix) {
        const keep = list.filter((p) => !pred(p));
        if (keep.length === list.length) continue;
        for (const p of list) {
          if (pred(p)) {
            out.push(p);
            this.#forget(t, p);
          }
        }
        if (keep.length === 0) t.byPrefix.delete(key);
        else t.byPrefix.set(key, keep);
      }
    }
    return out;
  }

  #forget(t: FamilyTable, p: Path): void {
    t.count(p, -1);
    this.attributes.release(p.attrs);
  }
}
