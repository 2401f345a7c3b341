/**
 * PURE: an immutable string-keyed map made of a shared base and a small overlay of
 * changes, so that folding one watch event into a snapshot of thousands of Nodes
 * or blocks costs O(overlay), not a copy of the whole collection (the copy, and
 * the garbage it leaves, dominated the per-change cost).
 *
 * `with(changes)` returns a new map; the old one is unchanged. When the overlay
 * outgrows an eighth of the base it is folded into a new base (one O(N) copy every
 * N/8 changes). Iteration: the base's entries not overridden, then the overlay's.
 */
const GONE: unique symbol = Symbol('gone');
type Slot<V> = V | typeof GONE;

const MIN_OVERLAY = 64;

export class OverlayMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    private readonly base: ReadonlyMap<string, V>,
    private readonly over: ReadonlyMap<string, Slot<V>>,
    readonly size: number,
  ) {}

  static from<V>(m: ReadonlyMap<string, V>): OverlayMap<V> {
    return m instanceof OverlayMap ? (m as OverlayMap<V>) : new OverlayMap(m, new Map(), m.size);
  }

  /** A new map with `changes` applied (undefined: delete). Values are never undefined. */
  with(changes: ReadonlyMap<string, V | undefined>): OverlayMap<V> {
    if (changes.size === 0) return this;
    const over = new Map(this.over);
    let size = this.size;
    for (const [k, v] of changes) {
      const had = this.has(k);
      if (v === undefined) {
        if (this.base.has(k)) over.set(k, GONE);
        else over.delete(k);
        if (had) size--;
      } else {
        over.set(k, v);
        if (!had) size++;
      }
    }
    if (over.size > Math.max(MIN_OVERLAY, this.base.size >> 3)) {
      const flat = new Map<string, V>();
      for (const [k, v] of this.base) {
        const o = over.get(k);
        if (o === undefined) flat.set(k, v);
        else if (o !== GONE) flat.set(k, o);
      }
      for (const [k, o] of over) if (o !== GONE && !this.base.has(k)) flat.set(k, o);
      return new OverlayMap(flat, new Map(), flat.size);
    }
    return new OverlayMap(this.base, over, size);
  }

  get(k: string): V | undefined {
    const o = this.over.get(k);
    if (o === undefined) return this.base.get(k);
    return o === GONE ? undefined : o;
  }

  has(k: string): boolean {
    const o = this.over.get(k);
    return o === undefined ? this.base.has(k) : o !== GONE;
  }

  *entries(): MapIterator<[string, V]> {
    if (this.over.size === 0) {
      yield* this.base.entries();
      return;
    }
    for (const e of this.base) if (!this.over.has(e[0])) yield e;
    for (const [k, o] of this.over) if (o !== GONE) yield [k, o];
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
}
